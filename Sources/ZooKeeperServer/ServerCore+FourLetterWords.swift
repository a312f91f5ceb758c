import NIOCore
import ZooKeeperProtocol

extension ServerCore {
    /// The version string reported by `srvr`, `stat`, `mntr` and `envi`.
    static let version = "3.8.0-swift-zookeeper"

    /// Answers a four-letter word in plain text, then closes the connection.
    func fourLetterWord(_ word: String, on connection: ConnectionID) {
        // The word counts as a packet received, as in Apache ZooKeeper.
        statistics.received += 1
        connections[connection]?.received += 1
        let answer: String
        if !configuration.allows(word) {
            answer = "\(word) is not executed because it is not in the whitelist.\n"
        } else {
            answer = fourLetterAnswer(word, from: connection)
        }
        guard let channel = connections[connection]?.channel else { return }
        var buffer = channel.allocator.buffer(capacity: answer.utf8.count)
        buffer.writeString(answer)
        write(buffer, to: connection)
        close(connection)
    }

    private func fourLetterAnswer(_ word: String, from connection: ConnectionID) -> String {
        let watchSummary = database.watches.summary
        switch word {
        case "ruok":
            return "imok"
        case "isro":
            return "rw"
        case "srvr":
            return serverSummary()
        case "stat":
            let clients = sortedConnections.map { connectionLine($0, asking: connection, brief: true) }.joined()
            return "Zookeeper version: \(Self.version)\nClients:\n" + clients + "\n"
                + serverSummary().split(separator: "\n").dropFirst().joined(separator: "\n") + "\n"
        case "cons":
            return sortedConnections.map { connectionLine($0, asking: connection, brief: false) }.joined() + "\n"
        case "mntr":
            return monitorLines().map { "\($0)\t\($1)\n" }.joined()
        case "conf":
            let directory = configuration.dataDirectory.map { $0 + "/version-2" } ?? ""
            let size = configuration.dataDirectory.map(HostFacts.directorySize) ?? 0
            return [
                "clientPort=\(configuration.port)", "secureClientPort=-1", "dataDir=\(directory)",
                "dataDirSize=\(size)", "dataLogDir=\(directory)", "dataLogSize=\(size)",
                "tickTime=\(configuration.tickTime.milliseconds)",
                "maxClientCnxns=\(configuration.maxClientConnections)",
                "minSessionTimeout=\(configuration.minimumTimeout)",
                "maxSessionTimeout=\(configuration.maximumTimeout)",
                "clientPortListenBacklog=-1", "serverId=0",
            ].map { $0 + "\n" }.joined()
        case "wchs":
            return
                "\(watchSummary.connections) connections watching \(watchSummary.paths) paths\nTotal watches:\(watchSummary.watches)\n"
        case "wchc":
            return database.watches.byConnection().sorted(by: { $0.key < $1.key }).map { id, paths in
                let session = hex(connections[id]?.session ?? 0)
                return session + "\n" + paths.sorted().map { "\t\($0)\n" }.joined()
            }.joined() + "\n"
        case "wchp":
            var byPath: [String: [String]] = [:]
            for (id, paths) in database.watches.byConnection() {
                let session = hex(connections[id]?.session ?? 0)
                for path in paths { byPath[path, default: []].append(session) }
            }
            return byPath.sorted(by: { $0.key < $1.key }).map { path, sessions in
                path + "\n" + sessions.sorted().map { "\t\($0)\n" }.joined()
            }.joined() + "\n"
        case "envi":
            return "Environment:\n" + environmentLines().map { "\($0)=\($1)\n" }.joined()
        case "dirs":
            let size = configuration.dataDirectory.map(HostFacts.directorySize) ?? 0
            return "datadir_size: \(size)\nlogdir_size: \(size)\n"
        case "crst", "srst":
            statistics.reset()
            return word == "crst" ? "Connection stats reset.\n" : "Server stats reset.\n"
        case "dump":
            return dump()
        default:
            return "\(word) is not supported by this server.\n"
        }
    }

    private var sortedConnections: [ServerConnection] {
        connections.sorted(by: { $0.key < $1.key }).map(\.value)
    }

    /// A connection as `stat` (brief) and `cons` show it: the connection asking shows interest
    /// ops 0 (it is being served), the others 1 (waiting to read); a session's figures follow.
    private func connectionLine(_ state: ServerConnection, asking: ConnectionID, brief: Bool) -> String {
        let address = state.channel.remoteAddress.map { "/\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
        var line = " \(address)[\(state.id == asking ? 0 : 1)](queued=0,recved=\(state.received),sent=\(state.sent)"
        if !brief, let session = state.session, session != 0 {
            let figures = state.statistics
            line += ",sid=\(hex(session)),lop=\(figures.lastOperation),est=\(figures.established)"
            line += ",to=\(sessions.sessions[session]?.timeout ?? 0)"
            if figures.lastCxid >= 0 { line += ",lcxid=\(hex(figures.lastCxid))" }
            line += ",lzxid=\(hex(figures.lastZxid)),lresp=\(figures.lastResponse),llat=\(figures.lastLatency)"
            line += ",minlat=\(figures.minimumLatency),avglat=\(figures.averageLatency),maxlat=\(figures.maxLatency)"
        }
        return line + ")\n"
    }

    /// `mntr`: Apache's keys in Apache's order, with this server's figures where it keeps them.
    private func monitorLines() -> [(String, String)] {
        let known = keptMonitorFigures()
        return Self.monitorKeys.map { ($0.key, known[$0.key] ?? $0.idle) } + database.namespaces.lines
    }

    /// The `mntr` figures this server keeps, by key.
    func keptMonitorFigures() -> [String: String] {
        [
            "zk_version": Self.version,
            "zk_server_state": "standalone",
            "zk_ephemerals_count": "\(database.tree.ephemeralCounts.nodes)",
            "zk_num_alive_connections": "\(connections.count)",
            "zk_avg_latency": "\(statistics.averageLatency)",
            "zk_min_latency": "\(statistics.minLatency)",
            "zk_max_latency": "\(statistics.maxLatency)",
            "zk_outstanding_requests": "0",
            "zk_znode_count": "\(database.tree.nodeCount + 1)",
            "zk_global_sessions": "\(sessions.count)",
            "zk_packets_sent": "\(statistics.sent)",
            "zk_packets_received": "\(statistics.received)",
            "zk_watch_count": "\(database.watches.count)",
            "zk_approximate_data_size": "\(database.tree.approximateDataSize)",
            "zk_last_client_response_size": "\(statistics.lastResponseSize)",
            "zk_min_client_response_size": "\(statistics.minResponseSize)",
            "zk_max_client_response_size": "\(statistics.maxResponseSize)",
            "zk_uptime": "\((NIODeadline.now() - statistics.started).nanoseconds / 1_000_000)",
            "zk_open_file_descriptor_count": "\(HostFacts.openFileDescriptors)",
            "zk_max_file_descriptor_count": "\(HostFacts.maximumFileDescriptors)",
        ]
    }

    /// `envi`: Apache's keys, with this process's facts (the Java ones it does not have: `<NA>`).
    private func environmentLines() -> [(String, String)] {
        let memory = HostFacts.memoryMegabytes
        return [
            ("zookeeper.version", Self.version), ("host.name", configuration.host), ("java.version", "<NA>"),
            ("java.vendor", "<NA>"), ("java.home", "<NA>"), ("java.class.path", "<NA>"),
            ("java.library.path", "<NA>"), ("java.io.tmpdir", HostFacts.environment("TMPDIR") ?? "/tmp"),
            ("java.compiler", "<NA>"), ("os.name", HostFacts.system.name), ("os.arch", HostFacts.system.architecture),
            ("os.version", HostFacts.system.release), ("user.name", HostFacts.userName),
            ("user.home", HostFacts.environment("HOME") ?? ""), ("user.dir", HostFacts.workingDirectory),
            ("os.memory.free", "\(memory.free)MB"), ("os.memory.max", "\(memory.max)MB"),
            ("os.memory.total", "\(memory.total)MB"),
        ]
    }

    /// `dump`: sessions by expiry time (tick buckets, as Apache's expiry queue keeps them), each
    /// session's ephemeral nodes, and connections by expiry time.
    private func dump() -> String {
        let tick = max(1, configuration.tickTime.milliseconds)
        let now = NIODeadline.now()
        let wall = wallClockMilliseconds()
        /// The wall-clock moment of an expiry, rounded up to the next tick as Apache's buckets are.
        func bucket(_ deadline: NIODeadline) -> Int64 {
            let moment = wall + (deadline - now).nanoseconds / 1_000_000
            return (moment / tick + 1) * tick
        }
        var text = "SessionTracker dump:\n"
        let sessionBuckets = Dictionary(grouping: sessions.sessions.values) { bucket($0.expiresAt) }
        text += "Session Sets (\(sessionBuckets.count))/(\(sessions.count)):\n"
        for (moment, members) in sessionBuckets.sorted(by: { $0.key < $1.key }) {
            text += "\(members.count) expire at \(HostFacts.javaDate(milliseconds: moment)):\n"
            text += members.map(\.id).sorted().map { "\t\(hex($0))\n" }.joined()
        }
        let owned = sessions.sessions.keys.sorted().map { ($0, database.tree.ephemeralPaths(of: $0)) }
        text += "ephemeral nodes dump:\nSessions with Ephemerals (\(database.tree.ephemeralCounts.sessions)):\n"
        for (owner, paths) in owned where !paths.isEmpty {
            text += "\(hex(owner)):\n" + paths.map { "\t\($0)\n" }.joined()
        }
        let connectionBuckets = Dictionary(grouping: sortedConnections) { state in
            bucket(state.session.flatMap { sessions.sessions[$0]?.expiresAt } ?? now + .milliseconds(tick))
        }
        text += "Connections dump:\nConnections Sets (\(connectionBuckets.count))/(\(connections.count)):\n"
        for (moment, members) in connectionBuckets.sorted(by: { $0.key < $1.key }) {
            text += "\(members.count) expire at \(HostFacts.javaDate(milliseconds: moment)):\n"
            for state in members {
                let address = state.channel.remoteAddress.map { "/\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
                text += "\tip: \(address) sessionId: \(hex(state.session ?? 0))\n"
            }
        }
        return text
    }

    private func serverSummary() -> String {
        """
        Zookeeper version: \(Self.version)
        Latency min/avg/max: \(statistics.minLatency)/\(statistics.averageLatency)/\(statistics.maxLatency)
        Received: \(statistics.received)
        Sent: \(statistics.sent)
        Connections: \(connections.count)
        Outstanding: 0
        Zxid: \(hex(database.lastZxid))
        Mode: standalone
        Node count: \(database.tree.nodeCount + 1)

        """
    }
}

/// A session id or zxid as ZooKeeper prints it: `0x` and lower-case hex.
func hex(_ value: Int64) -> String { "0x" + String(UInt64(bitPattern: value), radix: 16) }

extension DataTree {
    /// The bytes of all paths and data, as ZooKeeper's `approximateDataSize` counts them.
    var approximateDataSize: Int {
        nodes.pairs.reduce(0) { $0 + $1.key.utf8.count + $1.value.dataReference.count }
    }
}

extension OpCode {
    /// The name Apache ZooKeeper's `cons` gives the operation as a connection's last (`lop`).
    var shortName: String {
        switch self {
        case .ping: "PING"
        case .createSession: "SESS"
        case .multi: "MULT"
        case .multiRead: "MLTR"
        case .create, .create2, .createTTL, .createContainer: "CREA"
        case .delete, .deleteContainer: "DELE"
        case .setData: "SETD"
        case .reconfig: "RECO"
        case .setACL: "SETA"
        case .closeSession: "CLOS"
        case .sync: "SYNC"
        case .check: "CHEC"
        case .exists: "EXIS"
        case .getData: "GETD"
        case .setWatches: "SETW"
        case .setWatches2: "STW2"
        case .addWatch: "ADDW"
        case .getACL: "GETA"
        case .getChildren, .getChildren2: "GETC"
        case .getAllChildrenNumber: "GETACN"
        case .checkWatches: "CHKW"
        case .removeWatches: "REMW"
        case .whoAmI: "HOMI"
        case .getEphemerals: "GETE"
        default: "NA"
        }
    }
}
