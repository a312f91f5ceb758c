import NIOCore
import ZooKeeperProtocol

extension ServerCore {
    /// The version string reported by `srvr`, `stat`, `mntr` and `envi`.
    static let version = "3.8.0-swift-zookeeper"

    /// Answers a four-letter word in plain text, then closes the connection.
    func fourLetterWord(_ word: String, on connection: ConnectionID) {
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
            var text = "Zookeeper version: \(Self.version)\nClients:\n"
            for (_, state) in connections.sorted(by: { $0.key < $1.key }) {
                let address = state.channel.remoteAddress.map { "/\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
                text += " \(address)[1](queued=0,recved=\(state.received),sent=\(state.sent))\n"
            }
            return text + "\n" + serverSummary().split(separator: "\n").dropFirst().joined(separator: "\n") + "\n"
        case "cons":
            return connections.sorted(by: { $0.key < $1.key }).map { id, state in
                let address = state.channel.remoteAddress.map { "/\($0.ipAddress ?? "?"):\($0.port ?? 0)" } ?? "?"
                let session = hex(state.session ?? 0)
                return " \(address)[1](queued=0,recved=\(state.received),sent=\(state.sent),sid=\(session))\n"
            }.joined() + "\n"
        case "mntr":
            let lines: [(String, String)] = [
                ("zk_version", Self.version),
                ("zk_server_state", "standalone"),
                ("zk_avg_latency", fixed4(statistics.averageLatency)),
                ("zk_max_latency", "\(statistics.maxLatency)"),
                ("zk_min_latency", "\(statistics.minLatency)"),
                ("zk_packets_received", "\(statistics.received)"),
                ("zk_packets_sent", "\(statistics.sent)"),
                ("zk_num_alive_connections", "\(connections.count)"),
                ("zk_outstanding_requests", "0"),
                ("zk_znode_count", "\(database.tree.nodeCount)"),
                ("zk_watch_count", "\(watchSummary.watches)"),
                ("zk_ephemerals_count", "\(database.tree.ephemeralCounts.nodes)"),
                ("zk_approximate_data_size", "\(database.tree.approximateDataSize)"),
                ("zk_global_sessions", "\(sessions.count)"),
            ]
            return lines.map { "\($0)\t\($1)\n" }.joined()
        case "conf":
            return [
                "clientPort=\(configuration.port)",
                "clientPortAddress=\(configuration.host)",
                "tickTime=\(configuration.tickTime.milliseconds)",
                "maxClientCnxns=\(configuration.maxClientConnections)",
                "minSessionTimeout=\(configuration.minimumTimeout)",
                "maxSessionTimeout=\(configuration.maximumTimeout)",
                "serverId=0",
            ].map { $0 + "\n" }.joined()
        case "wchs":
            return
                "\(watchSummary.connections) connections watching \(watchSummary.paths) paths\nTotal watches:\(watchSummary.watches)\n"
        case "wchc":
            return database.watches.byConnection().sorted(by: { $0.key < $1.key }).map { id, paths in
                let session = hex(connections[id]?.session ?? 0)
                return session + "\n" + paths.sorted().map { "\t\($0)\n" }.joined()
            }.joined()
        case "wchp":
            var byPath: [String: [String]] = [:]
            for (id, paths) in database.watches.byConnection() {
                let session = hex(connections[id]?.session ?? 0)
                for path in paths { byPath[path, default: []].append(session) }
            }
            return byPath.sorted(by: { $0.key < $1.key }).map { path, sessions in
                path + "\n" + sessions.sorted().map { "\t\($0)\n" }.joined()
            }.joined()
        case "envi":
            return "Environment:\nzookeeper.version=\(Self.version)\nhost.name=\(configuration.host)\n"
        case "dirs":
            return "datadir_size: 0\nlogdir_size: 0\n"
        case "crst", "srst":
            statistics.reset()
            return word == "crst" ? "Connection stats reset.\n" : "Server stats reset.\n"
        case "dump":
            let lines = sessions.sessions.values.sorted(by: { $0.id < $1.id }).map { session in
                hex(session.id) + "\n"
                    + database.tree.ephemeralPaths(of: session.id).map { "\t\($0)\n" }.joined()
            }
            return
                "SessionTracker dump:\nSession Sets (\(sessions.count)):\nephemeral nodes dump:\nSessions with Ephemerals (\(database.tree.ephemeralCounts.sessions)):\n"
                + lines.joined()
        default:
            return "\(word) is not supported by this server.\n"
        }
    }

    private func serverSummary() -> String {
        """
        Zookeeper version: \(Self.version)
        Latency min/avg/max: \(statistics.minLatency)/\(fixed4(statistics.averageLatency))/\(statistics.maxLatency)
        Received: \(statistics.received)
        Sent: \(statistics.sent)
        Connections: \(connections.count)
        Outstanding: 0
        Zxid: \(hex(database.lastZxid))
        Mode: standalone
        Node count: \(database.tree.nodeCount)

        """
    }
}

/// A session id or zxid as ZooKeeper prints it: `0x` and lower-case hex.
func hex(_ value: Int64) -> String { "0x" + String(UInt64(bitPattern: value), radix: 16) }

/// `x` with four decimals, as Java's `%.4f` prints it.
func fixed4(_ x: Double) -> String {
    let scaled = Int64((x * 10_000).rounded())
    let fraction = String(scaled % 10_000)
    return "\(scaled / 10_000)." + String(repeating: "0", count: 4 - fraction.count) + fraction
}

extension DataTree {
    /// The bytes of all paths and data, as ZooKeeper's `approximateDataSize` counts them.
    var approximateDataSize: Int {
        nodes.pairs.reduce(0) { $0 + $1.key.utf8.count + ($1.value.data?.count ?? 0) }
    }
}
