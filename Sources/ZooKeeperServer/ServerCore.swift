import Logging
import NIOCore
import ZooKeeperProtocol
import ZooKeeperSASL

/// One client connection's server-side state, confined to the server's event loop. Its handler
/// holds it, so a request and its reply need no lookup by id.
final class ServerConnection {
    let id: ConnectionID
    let channel: any Channel
    let remoteIP: String
    /// nil until the connect request is processed.
    var session: Int64?
    /// The identities it authenticated as (always its ip, then digest users, ...).
    var ids: [Id]
    var received = 0
    var sent = 0
    /// Its last operation and latencies, for `cons`.
    var statistics = ConnectionStatistics()
    /// Whether the client's connect request carried the read-only flag (reply in kind).
    var readOnlyFlag: Bool?
    /// False once the connection has closed and the core has forgotten it, or once the core has
    /// decided to close it while connections are frozen: nothing more is read from it or written to it.
    var isOpen = true
    /// Messages encoded since its last flush, written to the channel as one buffer.
    var output: ByteBuffer?
    /// The SASL exchange, from the client's first SASL token until it completes or fails.
    var sasl: DigestMD5Server?

    init(id: ConnectionID, channel: any Channel, remoteIP: String) {
        self.id = id
        self.channel = channel
        self.remoteIP = remoteIP
        ids = [Id(scheme: "ip", id: remoteIP)]
    }
}

/// The server's engine: the database, the sessions and the connections, all confined to one
/// event loop (every connection of the server lives on it, so handlers call in directly).
final class ServerCore: @unchecked Sendable {
    let eventLoop: any EventLoop
    let configuration: ZooKeeperServer.Configuration
    private var logger: Logger { configuration.logger }

    // The loop confines these, so the runtime's exclusivity checks on each access (measurable on
    // the hot path) are off for them.
    @exclusivity(unchecked) private(set) var database = ServerDatabase()
    @exclusivity(unchecked) private(set) var sessions: SessionTracker
    @exclusivity(unchecked) private(set) var connections: [ConnectionID: ServerConnection] = [:]
    private var nextConnection: ConnectionID = 0
    /// Connections given output since the last flush of them.
    @exclusivity(unchecked) private var unflushed: [ServerConnection] = []
    private var flushScheduled = false
    private var timers: [RepeatedTask] = []
    /// Whether connections are frozen: nothing is read from them or written to them until thawed.
    /// Read for every frame, hence unchecked too.
    @exclusivity(unchecked) var frozen = false
    /// What frozen connections received, in arrival order, to be processed when they thaw.
    var frozenInbound: [(connection: ServerConnection, inbound: ServerInbound)] = []
    /// Connections closed while frozen: their pending output is written and they close when they thaw.
    var closingOnThaw: [ServerConnection] = []
    let statistics = ServerStatistics()

    // Durability: set when the server has a data directory.
    private var store: DurableStore?
    /// Whether transactions go to the store: from the restore until the store fails or the
    /// server stops.
    private var logging = false
    /// Whether the store failed (it is reported once).
    private var logFailed = false
    /// The flush under way, if any.
    private var flush: EventLoopFuture<Void>?
    /// Encoded log records not yet handed to the store.
    private var pendingLog = ByteBuffer()
    /// The zxids of the first and last record in `pendingLog`.
    private var pendingFirstZxid: Int64 = 0
    private var pendingZxid: Int64 = 0
    /// The highest zxid known to be on disk.
    private var durableZxid: Int64 = 0
    private var sinceSnapshot = 0
    /// Whether a snapshot is being written; one falling due meanwhile waits for the next flush
    /// after it is done, as Apache ZooKeeper skips a snapshot while the last one is running.
    private var snapshotting = false
    /// Output waiting for the transactions it depends on to be durable, in order.
    private var held = CircularBuffer<(required: Int64, output: HeldOutput)>()

    private enum HeldOutput {
        case frame(ConnectionID, ByteBuffer)
        case close(ConnectionID)
    }

    init(configuration: ZooKeeperServer.Configuration, eventLoop: any EventLoop) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        database.extendedTypesEnabled = configuration.extendedTypesEnabled
        sessions = SessionTracker(nowMilliseconds: database.now())
    }

    /// Uses a data directory: restores what it holds, then logs every transaction to it.
    /// Called before the core serves; the recovered tree becomes the database's own.
    func restore(from store: DurableStore, _ recovered: consuming DurableStore.Recovered) throws {
        let now = NIODeadline.now()
        for problem in recovered.skippedSnapshots {
            logger.warning("skipping a damaged snapshot", metadata: ["problem": "\(problem)"])
        }
        for name in recovered.removedTemporaryFiles {
            logger.info("removed a file an interrupted write left", metadata: ["file": "\(name)"])
        }
        let restoredSnapshot = recovered.snapshot != nil
        if var snapshot = recovered.snapshot {
            // The tree's only holder hands it over: replaying the log must not copy it.
            recovered.snapshot = nil
            database.restore(tree: &snapshot.tree, lastZxid: recovered.snapshotZxid)
            for session in snapshot.sessions {
                sessions.restore(session.id, timeout: session.timeout, now: now)
            }
        }
        for record in recovered.records {
            switch record.transaction.body {
            case .createSession(let timeout):
                sessions.restore(record.session, timeout: timeout, now: now)
            case .closeSession:
                sessions.remove(record.session)
            default:
                break
            }
            database.replay(record)
        }
        durableZxid = database.lastZxid
        if !restoredSnapshot {
            try store.writeInitialSnapshot(
                tree: database.tree.contents, sessions: openSessions, zxid: database.lastZxid)
        }
        database.journaling = true
        self.store = store
        logging = true
        logger.info(
            "recovered",
            metadata: [
                "zxid": "\(hex(database.lastZxid))", "nodes": "\(database.tree.nodeCount)",
                "sessions": "\(sessions.count)", "truncated-bytes": "\(recovered.truncatedBytes)",
            ])
    }

    /// Hands the transactions applied since the last call to the log; replies wait for them.
    func commitJournal() {
        guard logging, !database.journal.isEmpty else { return }
        if pendingLog.readableBytes == 0 { pendingFirstZxid = database.journal[0].zxid }
        for record in database.journal {
            record.encode(into: &pendingLog)
            pendingZxid = record.zxid
        }
        sinceSnapshot += database.journal.count
        database.journal.removeAll(keepingCapacity: true)
        startFlush()
    }

    /// Group commit: one write-and-fsync at a time; what arrives meanwhile goes in the next one.
    /// A snapshot due goes with it: the tree as it stands (a value, copied only as it changes),
    /// encoded and written off the event loop while requests go on.
    private func startFlush() {
        guard logging, let store, flush == nil, pendingLog.readableBytes > 0 else { return }
        let batch = pendingLog
        let upTo = pendingZxid
        pendingLog = ByteBuffer()
        var snapshot: DurableStore.PendingSnapshot?
        if sinceSnapshot >= configuration.snapshotEvery && !snapshotting {
            sinceSnapshot = 0
            snapshotting = true
            let written = eventLoop.makePromise(of: Void.self)
            snapshot = DurableStore.PendingSnapshot(
                tree: database.tree.contents, sessions: openSessions, zxid: database.lastZxid, written: written)
            written.futureResult.whenComplete { result in
                self.snapshotting = false
                if case .failure(let error) = result { self.storeFailed(error) }
            }
        }
        let committed = store.commit(batch, firstZxid: pendingFirstZxid, snapshot: snapshot, on: eventLoop)
        flush = committed
        committed.whenComplete { result in
            self.flush = nil
            switch result {
            case .success:
                self.durableZxid = max(self.durableZxid, upTo)
                self.releaseHeld()
                self.startFlush()
            case .failure(let error):
                self.storeFailed(error)
            }
        }
    }

    /// Without the disk no reply may be sent: stop serving.
    private func storeFailed(_ error: any Error) {
        guard store != nil, !logFailed else { return }
        logFailed = true
        logger.critical("the transaction log failed; closing every connection", metadata: ["error": "\(error)"])
        held.removeAll()
        logging = false
        closeAll()
        onFatalError?("the transaction log failed: \(error)")
    }

    /// Called when the data directory fails: the server stops.
    var onFatalError: ((String) -> Void)?

    /// The open sessions and their timeouts, by id.
    private var openSessions: [(id: Int64, timeout: Int32)] {
        sessions.sessions.values.map { ($0.id, $0.timeout) }.sorted { $0.id < $1.id }
    }

    private func releaseHeld() {
        while let first = held.first, first.required <= durableZxid {
            held.removeFirst()
            switch first.output {
            case .frame(let connection, let buffer):
                if let connection = connections[connection] {
                    append(to: connection) { $0.writeImmutableBuffer(buffer) }
                }
            case .close(let connection):
                closeNow(connection)
            }
        }
        flushAll()
    }

    /// Whether output must wait for the log (something it may reveal is not on disk yet).
    private var mustHold: Bool { store != nil && (database.lastZxid > durableZxid || !held.isEmpty) }

    /// Stops logging when the server stops, and returns the data directory's store once the
    /// flush under way (if any) has ended, for the caller to close off the event loop (closing
    /// waits for a snapshot being written). Transactions not handed to the store yet were never
    /// acknowledged; they are not written.
    func stopLogging() -> EventLoopFuture<DurableStore?> {
        logging = false
        let store = store
        guard let flush else { return eventLoop.makeSucceededFuture(store) }
        // A failure of that flush is the store's to report (storeFailed), and was.
        return flush.map { store }.recover { _ in store }
    }

    /// Starts the session-expiry and container timers.
    func startTimers() {
        let tick = TimeAmount.milliseconds(max(1, configuration.tickTime.milliseconds / 2))
        timers.append(
            eventLoop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { _ in self.expireSessions() })
        let reap = TimeAmount.milliseconds(max(10, configuration.containerCheckInterval.milliseconds))
        timers.append(
            eventLoop.scheduleRepeatedTask(initialDelay: reap, delay: reap) { _ in self.reapContainers() })
    }

    func stopTimers() {
        timers.forEach { $0.cancel() }
        timers = []
    }

    // MARK: Connections

    func connectionOpened(_ channel: any Channel) -> ServerConnection? {
        let ip = channel.remoteAddress?.ipAddress ?? "unknown"
        if configuration.maxClientConnections > 0,
            connections.values.filter({ $0.remoteIP == ip }).count >= configuration.maxClientConnections
        {
            logger.warning("too many connections", metadata: ["ip": "\(ip)"])
            return nil
        }
        nextConnection += 1
        let connection = ServerConnection(id: nextConnection, channel: channel, remoteIP: ip)
        connections[nextConnection] = connection
        logger.debug(
            "connection opened",
            metadata: ["connection": "\(nextConnection)", "client": "\(channel.remoteAddress.map { "\($0)" } ?? ip)"])
        return connection
    }

    func connectionClosed(_ connection: ConnectionID) {
        guard let closed = connections.removeValue(forKey: connection) else { return }
        closed.isOpen = false
        logger.debug(
            "connection closed",
            metadata: ["connection": "\(connection)", "session": "\(closed.session.map(hex) ?? "none")"])
        database.connectionClosed(connection)
        if let session = closed.session, sessions[session]?.connection == connection {
            sessions.attach(session, to: nil)
        }
    }

    func closeAll() {
        for connection in connections.values { connection.channel.close(promise: nil) }
    }

    // MARK: Frames

    /// Processes what arrived on a connection, or keeps it for later while connections are frozen.
    func received(_ inbound: ServerInbound, on connection: ServerConnection) {
        guard !frozen else { return frozenInbound.append((connection, inbound)) }
        switch inbound {
        case .fourLetterWord(let word):
            fourLetterWord(word, on: connection.id)
        case .frame(let frame):
            process(frame, on: connection)
            commitJournal()
        }
    }

    private func process(_ frame: ByteBuffer, on state: ServerConnection) {
        guard state.isOpen else { return }
        let connection = state.id
        statistics.received += 1
        state.received += 1
        guard let session = state.session else {
            return connect(frame, on: connection)
        }
        let started = NIODeadline.now()
        sessions.touch(session, now: started)
        var body = frame
        guard let header = try? RequestHeader(from: &body) else {
            return close(connection)
        }
        defer {
            let ended = NIODeadline.now()
            statistics.record(latency: ended - started)
            state.statistics.record(
                cxid: header.xid, zxid: database.lastZxid, operation: header.opCode.shortName, started: started,
                ended: ended)
        }
        switch header.opCode {
        case .auth:
            authenticate(&body, header: header, on: connection)
        case .sasl:
            saslExchange(&body, header: header, on: state)
        case _ where configuration.requireClientSASLAuth && !state.ids.contains(where: { $0.scheme == "sasl" }):
            // Pings and closeSession included, as Apache's AuthenticationHelper does.
            reply(to: state, ReplyHeader(xid: header.xid, zxid: 0, error: .sessionClosedRequireSaslAuth), body: nil)
            close(connection)
        case .ping:
            reply(to: state, ReplyHeader(xid: header.xid, zxid: database.lastZxid), body: nil)
        case .setWatches, .setWatches2:
            setWatches(&body, header: header, on: connection)
        case .closeSession:
            logger.debug("session closed", metadata: ["session": "\(hex(session))"])
            let (zxid, notifications) = closeSession(session)
            deliver(notifications)
            reply(to: connection, ReplyHeader(xid: header.xid, zxid: zxid), body: nil)
            close(connection)
        default:
            let context = RequestContext(connection: connection, session: session, ids: state.ids, xid: header.xid)
            let outcome = database.execute(header.opCode, &body, context: context)
            deliver(outcome.notifications)
            reply(
                to: state, ReplyHeader(xid: header.xid, zxid: outcome.zxid, error: outcome.error),
                body: outcome.body)
            if outcome.closeAfterReply { close(connection) }
        }
    }

    /// The first frame: a connect request, answered with a bare connect response.
    private func connect(_ frame: ByteBuffer, on connection: ConnectionID) {
        guard let request = try? ConnectRequest(decodingAll: frame) else {
            logger.debug("unreadable connect request", metadata: ["connection": "\(connection)"])
            return close(connection)
        }
        let timeout = min(max(request.timeout, configuration.minimumTimeout), configuration.maximumTimeout)
        let readOnlyFlag: Bool? = request.readOnly == nil ? nil : false
        connections[connection]!.readOnlyFlag = request.readOnly
        let now = NIODeadline.now()
        if request.sessionID == 0 {
            let session = sessions.create(timeout: timeout, now: now)
            let password = session.password
            database.createSession(id: session.id, timeout: timeout)
            logger.debug(
                "session created",
                metadata: [
                    "session": "\(hex(session.id))", "connection": "\(connection)",
                    "timeout": "\(timeout) ms",
                ])
            attach(session.id, to: connection)
            send(
                ConnectResponse(timeout: timeout, sessionID: session.id, password: password, readOnly: readOnlyFlag),
                to: connection)
            return
        }
        guard let session = sessions[request.sessionID], session.password == request.password else {
            // Unknown or expired session, or a wrong password: refuse, then close.
            logger.debug(
                "session refused (unknown, expired or a wrong password)",
                metadata: ["session": "\(hex(request.sessionID))", "connection": "\(connection)"])
            send(
                ConnectResponse(
                    timeout: 0, sessionID: 0, password: Array(repeating: 0, count: 16), readOnly: readOnlyFlag),
                to: connection)
            return close(connection)
        }
        if let previous = session.connection, previous != connection {
            connections[previous]?.session = nil
            close(previous)
        }
        sessions.setTimeout(session.id, timeout)
        sessions.touch(session.id, now: now)
        logger.debug("session resumed", metadata: ["session": "\(hex(session.id))", "connection": "\(connection)"])
        attach(session.id, to: connection)
        send(
            ConnectResponse(
                timeout: timeout, sessionID: session.id, password: session.password, readOnly: readOnlyFlag),
            to: connection)
    }

    private func attach(_ session: Int64, to connection: ConnectionID) {
        sessions.attach(session, to: connection)
        connections[connection]?.session = session
    }

    private func authenticate(_ body: inout ByteBuffer, header: RequestHeader, on connection: ConnectionID) {
        guard let packet = try? AuthPacket(from: &body) else { return close(connection) }
        var added: [Id] = []
        switch packet.scheme {
        case "digest":
            let credentials = String(decoding: packet.auth, as: UTF8.self)
            let parts = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2 {
                let id = Id.digest(user: String(parts[0]), password: String(parts[1]))
                added.append(id)
                if let superDigest = configuration.superDigest, id.id == superDigest {
                    added.append(AccessControl.superID)
                }
            }
        case "ip":
            added.append(Id(scheme: "ip", id: connections[connection]!.remoteIP))
        default:
            break
        }
        guard !added.isEmpty else {
            reply(to: connection, ReplyHeader(xid: header.xid, zxid: database.lastZxid, error: .authFailed), body: nil)
            return close(connection)
        }
        for id in added where !connections[connection]!.ids.contains(id) {
            connections[connection]!.ids.append(id)
        }
        reply(to: connection, ReplyHeader(xid: header.xid, zxid: database.lastZxid), body: nil)
    }

    /// The connection proved an identity outside the protocol (a TLS client certificate).
    func authenticated(_ id: Id, on connection: ServerConnection) {
        logger.debug("authenticated", metadata: ["connection": "\(connection.id)", "id": "\(id.scheme):\(id.id)"])
        // First, before the ip identity: Apache lists it so (whoAmI).
        if !connection.ids.contains(id) { connection.ids.insert(id, at: 0) }
    }

    /// One step of a SASL DIGEST-MD5 login: the first token gets the challenge, the response
    /// the `rspauth` and the `sasl` identity; a refused login gets AuthFailed (or
    /// SessionClosedRequireSaslAuth when SASL is required) and the connection is closed.
    private func saslExchange(_ body: inout ByteBuffer, header: RequestHeader, on connection: ServerConnection) {
        guard let request = try? SASLRequest(from: &body) else { return close(connection.id) }
        guard let users = configuration.saslUsers else {
            // As Apache without a JAAS Server section: no challenge.
            return reply(to: connection, ReplyHeader(xid: header.xid, zxid: 0), body: SASLResponse(token: []))
        }
        var exchange = connection.sasl ?? DigestMD5Server { users[$0] }
        do {
            switch try exchange.evaluate(request.token) {
            case .challenge(let challenge):
                connection.sasl = exchange
                reply(to: connection, ReplyHeader(xid: header.xid, zxid: 0), body: SASLResponse(token: challenge))
            case .complete(let token, let user):
                connection.sasl = nil
                logger.debug("SASL login", metadata: ["connection": "\(connection.id)", "user": "\(user)"])
                let id = Id(scheme: "sasl", id: user)
                // First, before the ip identity: Apache lists it so (whoAmI).
                if !connection.ids.contains(id) { connection.ids.insert(id, at: 0) }
                reply(to: connection, ReplyHeader(xid: header.xid, zxid: 0), body: SASLResponse(token: token))
            }
        } catch {
            connection.sasl = nil
            logger.info("SASL login refused", metadata: ["connection": "\(connection.id)", "reason": "\(error)"])
            let code: ErrorCode = configuration.requireClientSASLAuth ? .sessionClosedRequireSaslAuth : .authFailed
            reply(to: connection, ReplyHeader(xid: header.xid, zxid: 0, error: code), body: nil)
            close(connection.id)
        }
    }

    /// Re-registers a reconnected client's watches; what changed after its last zxid fires now,
    /// before the reply.
    private func setWatches(_ body: inout ByteBuffer, header: RequestHeader, on connection: ConnectionID) {
        let request: SetWatches2Request
        if header.opCode == .setWatches2 {
            guard let decoded = try? SetWatches2Request(from: &body) else { return close(connection) }
            request = decoded
        } else {
            guard let old = try? SetWatchesRequest(from: &body) else { return close(connection) }
            request = SetWatches2Request(
                relativeZxid: old.relativeZxid, dataWatches: old.dataWatches, existWatches: old.existWatches,
                childWatches: old.childWatches, persistentWatches: [], persistentRecursiveWatches: [])
        }
        var events: [WatcherEvent] = []
        let tree = database.tree
        // A watched node that is gone fires NodeDeleted; one changed since the client's zxid fires
        // its change; otherwise the watch is armed again.
        func rearm(_ paths: [String], _ table: ServerWatchManager.Table, changed: EventType, zxid: (DataNode) -> Int64)
        {
            for path in paths {
                if let node = tree[path] {
                    if zxid(node) > request.relativeZxid {
                        events.append(WatcherEvent(type: changed, path: path))
                    } else {
                        database.watches.add(table, path: path, connection: connection)
                    }
                } else {
                    events.append(WatcherEvent(type: .nodeDeleted, path: path))
                }
            }
        }
        rearm(request.dataWatches, .data, changed: .nodeDataChanged) { $0.mzxid }
        for path in request.existWatches {
            if tree[path] != nil {
                events.append(WatcherEvent(type: .nodeCreated, path: path))
            } else {
                database.watches.add(.data, path: path, connection: connection)
            }
        }
        rearm(request.childWatches, .child, changed: .nodeChildrenChanged) { $0.pzxid }
        for path in request.persistentWatches {
            database.watches.add(.persistent, path: path, connection: connection)
        }
        for path in request.persistentRecursiveWatches {
            database.watches.add(.persistentRecursive, path: path, connection: connection)
        }
        // Re-armed watches report what they missed whatever the ACL, as in Apache ZooKeeper.
        for event in events {
            reply(to: connection, ReplyHeader(xid: SpecialXid.notification, zxid: -1), body: event)
        }
        reply(to: connection, ReplyHeader(xid: header.xid, zxid: database.lastZxid), body: nil)
    }

    // MARK: Sessions

    private func closeSession(_ session: Int64) -> (Int64, [ServerDatabase.Notification]) {
        sessions.remove(session)
        return database.closeSession(session)
    }

    private func expireSessions() {
        defer { commitJournal() }
        for id in sessions.expired(now: .now()) { expire(id) }
    }

    /// Ends a session as its timeout does: its ephemeral nodes go (firing their watches) and its
    /// connection, if any, is closed, so the client learns it when it tries to reconnect.
    func expire(_ id: Int64) {
        logger.debug("session expired", metadata: ["session": "\(hex(id))"])
        let connection = sessions[id]?.connection
        let (_, notifications) = closeSession(id)
        deliver(notifications)
        if let connection {
            connections[connection]?.session = nil
            close(connection)
        }
    }

    private func reapContainers() {
        defer { commitJournal() }
        let paths = database.tree.expiredContainersAndTTLs(now: database.now())
        for path in paths {
            var body = ByteBuffer()
            DeleteRequest(path: path, version: -1).encode(into: &body)
            let context = RequestContext(connection: 0, session: 0, ids: [AccessControl.superID])
            deliver(database.execute(.delete, &body, context: context).notifications)
        }
    }

    // MARK: Output

    /// Sends each notification to the connections whose watches it fired and that may read the
    /// node (the watch is used up either way, as in Apache ZooKeeper 3.8).
    private func deliver(_ notifications: [ServerDatabase.Notification]) {
        for (targets, event, acl) in notifications {
            for target in targets {
                guard let ids = connections[target]?.ids, AccessControl.allows(acl, .read, ids: ids) else { continue }
                reply(to: target, ReplyHeader(xid: SpecialXid.notification, zxid: -1), body: event)
            }
        }
    }

    private func reply(to connection: ConnectionID, _ header: ReplyHeader, body: (any JuteEncodable)?) {
        guard let connection = connections[connection] else { return }
        reply(to: connection, header, body: body)
    }

    private func reply(to connection: ServerConnection, _ header: ReplyHeader, body: (any JuteEncodable)?) {
        write(to: connection) { buffer in
            let start = buffer.writerIndex
            buffer.writeReplyFrame(header, body: body)
            statistics.recordResponse(size: buffer.writerIndex - start)
        }
    }

    private func send(_ response: ConnectResponse, to connection: ConnectionID) {
        guard let connection = connections[connection] else { return }
        write(to: connection) { $0.writeJuteFrame { response.encode(into: &$0) } }
    }

    /// Sends `buffer` to the connection, after whatever it must wait for.
    func write(_ buffer: ByteBuffer, to connection: ConnectionID) {
        guard let connection = connections[connection] else { return }
        write(to: connection) { $0.writeImmutableBuffer(buffer) }
    }

    /// Lets `encode` write one message for the connection: straight into its pending output (no
    /// buffer and no channel write per message), or, while output must wait for the log, into a
    /// buffer of its own that is held until then.
    private func write(to connection: ServerConnection, _ encode: (inout ByteBuffer) -> Void) {
        guard connection.isOpen else { return }
        statistics.sent += 1
        connection.sent += 1
        if mustHold {
            var buffer = connection.channel.allocator.buffer(capacity: 64)
            encode(&buffer)
            held.append((database.lastZxid, .frame(connection.id, buffer)))
        } else {
            append(to: connection, encode)
        }
    }

    /// Appends to the connection's pending output. The connection a request came on flushes it
    /// at the end of its read burst; every other connection with output is flushed once per
    /// loop turn.
    private func append(to connection: ServerConnection, _ encode: (inout ByteBuffer) -> Void) {
        guard connection.isOpen else { return }
        if connection.output == nil {
            connection.output = connection.channel.allocator.buffer(capacity: 4096)
            unflushed.append(connection)
            if !flushScheduled {
                flushScheduled = true
                eventLoop.execute { self.flushAll() }
            }
        }
        encode(&connection.output!)
    }

    /// Writes a connection's pending output to its channel (unless connections are frozen: it
    /// waits for them to thaw).
    func flush(_ connection: ServerConnection) {
        guard !frozen, let output = connection.output else { return }
        connection.output = nil
        if connection.isOpen { connection.channel.writeAndFlush(output, promise: nil) }
    }

    private func flushAll() {
        flushScheduled = false
        let pending = unflushed
        unflushed = []
        for connection in pending { flush(connection) }
    }

    func close(_ connection: ConnectionID) {
        if mustHold {
            held.append((database.lastZxid, .close(connection)))
        } else {
            closeNow(connection)
        }
    }

    private func closeNow(_ connection: ConnectionID) {
        guard let connection = connections[connection], connection.isOpen else { return }
        if frozen {
            connection.isOpen = false
            closingOnThaw.append(connection)
            return
        }
        flush(connection)
        connection.channel.close(promise: nil)
    }
}
