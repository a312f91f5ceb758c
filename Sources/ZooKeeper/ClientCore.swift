import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import ZooKeeperProtocol
import ZooKeeperSASL

/// A reply as it arrived: the header and the (possibly empty) body.
package struct Reply: Sendable {
    package var header: ReplyHeader
    package var body: ByteBuffer

    package init(header: ReplyHeader, body: ByteBuffer) {
        self.header = header
        self.body = body
    }
}

/// Where a one-shot or persistent watch, or a global listener, delivers its events.
enum WatchSink {
    case oneShot(AsyncThrowingStream<WatchedEvent, Error>.Continuation)
    case persistent(AsyncThrowingStream<WatchedEvent, Error>.Continuation)

    func deliver(_ event: WatchedEvent) {
        switch self {
        case .oneShot(let continuation):
            continuation.yield(event)
            continuation.finish()
        case .persistent(let continuation):
            continuation.yield(event)
        }
    }

    func finish(throwing error: Error?) {
        switch self {
        case .oneShot(let continuation), .persistent(let continuation):
            continuation.finish(throwing: error)
        }
    }
}

/// A watch to register locally once its request succeeds.
struct WatchRegistration: Sendable {
    var kind: WatchRegistry.Kind
    /// The server path (chroot included).
    var path: String
    var watcher: WatcherID
    /// exists: a NoNode reply registers an exist watch instead of a data watch.
    var existsWatch: Bool
}

/// Whom to tell of a request's outcome, exactly once: the caller's continuation, or its place
/// in a batch; and the timer of the request's timeout, if any. Handed to the client's loop once,
/// then confined to it.
final class ReplyWaiter: @unchecked Sendable {
    private enum Target {
        case caller(UnsafeContinuation<Reply, any Error>)
        case batch(ReplyBatch, index: Int)
        case told
    }
    private var target: Target

    init(_ continuation: UnsafeContinuation<Reply, any Error>) {
        target = .caller(continuation)
    }

    init(batch: ReplyBatch, index: Int) {
        target = .batch(batch, index: index)
    }

    func finish(_ result: Result<Reply, any Error>) {
        switch target {
        case .caller(let continuation): continuation.resume(with: result)
        case .batch(let batch, let index): batch.finish(index, with: result)
        case .told: break
        }
        target = .told
    }
}

/// The replies of a batch of requests sent together, collected in request order; the caller's
/// continuation resumes once, when the last one is in. Confined to the client's loop once its
/// waiters are submitted.
final class ReplyBatch: @unchecked Sendable {
    private var replies: [Result<Reply, any Error>?]
    private var outstanding: Int
    private let continuation: UnsafeContinuation<[Result<Reply, any Error>?], Never>

    /// - Parameter count: the number of requests the caller will submit with this batch's waiters.
    init(count: Int, _ continuation: UnsafeContinuation<[Result<Reply, any Error>?], Never>) {
        replies = Array(repeating: nil, count: count)
        outstanding = count
        self.continuation = continuation
    }

    func finish(_ index: Int, with result: Result<Reply, any Error>) {
        replies[index] = result
        outstanding -= 1
        if outstanding == 0 { continuation.resume(returning: replies) }
    }
}

/// A request on its way: its frame (xid still to fill in), and whom to tell of the reply (nil:
/// nobody waits).
typealias OutgoingRequest = RequestStateMachine<ReplyWaiter>.Outgoing

/// The client's engine: every mutable field is confined to `eventLoop`, so the class is
/// `@unchecked Sendable` and every entry point runs on (or hops to) that loop. It executes the
/// actions of the pure `SessionStateMachine` and `RequestStateMachine`, and keeps the watch table.
final class ClientCore: @unchecked Sendable {
    let eventLoop: any EventLoop
    let configuration: ZooKeeperClient.Configuration
    let chroot: Chroot
    private var logger: Logger { configuration.logger }

    // The loop confines these, so the runtime's exclusivity checks on each access (measurable on
    // the request path) are off for the ones every request touches.
    @exclusivity(unchecked) private var machine: SessionStateMachine
    /// The current connection; output written for another one is dropped with it.
    @exclusivity(unchecked) private var channel: (any Channel)? {
        didSet { output = nil }
    }
    @exclusivity(unchecked) private var attempt: UInt64 = 0
    @exclusivity(unchecked) private var requests = RequestStateMachine<ReplyWaiter>()
    private var authWaiters = CircularBuffer<EventLoopPromise<Void>?>()
    /// When each ping awaiting its reply was sent (pings are answered in order).
    private var pingsSent = CircularBuffer<NIODeadline>()
    /// Callers waiting for ownership through a session to end (see `ownershipLost`).
    private var ownershipWatches: [UInt64: OwnershipWatch] = [:]
    private var credentials: [AuthPacket]
    private var watches = WatchRegistry()
    private var sinks: [WatcherID: WatchSink] = [:]
    private var stateListeners: [UInt64: AsyncStream<ZooKeeperClient.State>.Continuation] = [:]
    private var eventListeners: [UInt64: AsyncStream<WatchedEvent>.Continuation] = [:]
    private(set) var state = ZooKeeperClient.State.connecting
    private var sessionWaiters: [EventLoopPromise<Void>] = []
    private var closeWaiters: [EventLoopPromise<ZooKeeperClient.CloseOutcome>] = []
    /// The server confirmed closeSession.
    private var sessionClosed = false
    private var tickTask: RepeatedTask?
    /// One timer for every request's time limit, set for the earliest deadline. A timer for each
    /// request cost the client a seventh of its CPU under load (NIO keeps scheduled tasks in a
    /// heap, and cancelling one, as each reply did, searches it).
    private var requestTimer: (task: Scheduled<Void>, at: NIODeadline)?
    private var reconnectTask: Scheduled<Void>?
    private var closeTimeoutTask: Scheduled<Void>?
    /// The caller of `close()` stopped waiting for the server, perhaps before the close reached
    /// the loop (its task was cancelled already): the close does not wait.
    private var closeWithoutWaiting = false
    /// Frames written since the last flush: one buffer, written and flushed once per loop turn.
    @exclusivity(unchecked) private var output: ByteBuffer?
    /// Requests submitted from other threads, taken over by one task on the loop.
    private let inbox = Mutex<[(OutgoingRequest, TimeAmount?)]>([])
    /// Why the latest attempt to each host failed, for the error `connect` fails with.
    private var connectFailures: [ConnectString.Host: ConnectionFailure] = [:]
    /// Why the current attempt failed, once it has.
    private var attemptFailure: ConnectionFailure?
    /// The servers as the connect string lists them (the machine may try them in another order).
    private let servers: [ConnectString.Host]
    private var sslContext: NIOSSLContext?
    private(set) var connectedHost: ConnectString.Host?
    /// The SASL exchange on the current connection, while it runs.
    private var sasl: (any SASLClientMechanism)?
    /// Why the server or the exchange refused the SASL login, for the error the client stops with.
    private var saslFailure: String?
    /// The metrics and tracing backends bootstrapped when the client was made, if any.
    let instruments = ClientInstruments.current()
    /// A session has been established before: the next one is a reconnection.
    private var wasEstablished = false

    init(connectString: ConnectString, configuration: ZooKeeperClient.Configuration, eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.configuration = configuration
        self.chroot = Chroot(connectString.chroot)
        self.servers = connectString.hosts
        let hosts = connectString.hostsInConnectOrder(shuffled: configuration.shuffleHosts)
        self.machine = SessionStateMachine(
            hosts: hosts, sessionTimeout: Int32(clamping: configuration.sessionTimeout.milliseconds),
            allowReadOnly: configuration.allowReadOnly,
            recreateSessionOnExpiry: configuration.recreateSessionOnExpiry, failFast: configuration.failFast,
            resuming: configuration.resumeSession, authenticatesWithSASL: configuration.sasl != nil)
        self.credentials = configuration.authentication.map { AuthPacket(scheme: $0.scheme, auth: $0.credentials) }
    }

    // MARK: Public entry points (any thread)

    /// Starts connecting; the future completes when the first session is established, or fails
    /// (and the client closes) when none is within `timeout`.
    func start(timeout: TimeAmount) -> EventLoopFuture<Void> {
        eventLoop.flatSubmit {
            let promise = self.eventLoop.makePromise(of: Void.self)
            self.sessionWaiters.append(promise)
            let timer = self.eventLoop.scheduleTask(in: timeout) {
                guard !self.sessionWaiters.isEmpty else { return }
                self.failSessionWaiters(waited: timeout)
                self.perform(self.machine.close())
            }
            promise.futureResult.whenComplete { _ in timer.cancel() }
            self.begin()
            return promise.futureResult
        }
    }

    /// Starts connecting without waiting: the client tries the hosts until one accepts a
    /// session, or until it is closed.
    func start() {
        eventLoop.execute { self.begin() }
    }

    /// Starts the clock and the first connection attempt.
    private func begin() {
        // Fine enough for the syncs that prove contact with the leader (every 48th of the timeout).
        let tick = TimeAmount.milliseconds(max(20, min(200, Int64(configuration.sessionTimeout.milliseconds) / 80)))
        tickTask = eventLoop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { _ in
            self.machine.ownershipWatched(!self.ownershipWatches.isEmpty)
            self.perform(self.machine.tick(now: .now()))
        }
        perform(machine.start())
    }

    /// A new request id, for `submit` and `cancel`.
    func nextRequestID() -> UInt64 { idGenerator.next() }

    /// Sends a request: `frame` holds the whole frame, with a placeholder xid at offset 4; the
    /// waiter hears of its reply or failure. When the calling task is cancelled by the time the
    /// request is handed over, the request is cancelled: the task's `onCancel` may have called
    /// `cancel` before there was a request to cancel.
    func submit(
        id: UInt64, frame: ByteBuffer, opCode: OpCode, watch: WatchRegistration?, timeout: TimeAmount?,
        waiter: ReplyWaiter
    ) {
        let request = OutgoingRequest(id: id, frame: frame, opCode: opCode, watch: watch, waiter: waiter)
        if eventLoop.inEventLoop {
            accept(request, timeout: timeout)
        } else {
            // One loop task takes over every request submitted meanwhile, so requests stay in
            // order. A `cancel` may still run before that task (see `abandon`).
            let first = inbox.withLock { inbox in
                inbox.append((request, timeout))
                return inbox.count == 1
            }
            if first { eventLoop.execute { self.acceptInbox() } }
        }
        if Task.isCancelled { cancel(id: id) }
    }

    private func acceptInbox() {
        let submitted = inbox.withLock { inbox in
            defer { inbox = [] }
            return inbox
        }
        for (request, timeout) in submitted { accept(request, timeout: timeout) }
    }

    private func accept(_ request: OutgoingRequest, timeout: TimeAmount?) {
        var request = request
        if let timeout, request.waiter != nil {
            let deadline = NIODeadline.now() + timeout
            request.deadline = .init(at: deadline, after: timeout)
            armRequestTimer(for: deadline)
        }
        enqueue(request)
    }

    /// Has the request timer go off at `deadline`, unless it is set for earlier already.
    private func armRequestTimer(for deadline: NIODeadline) {
        if let requestTimer, requestTimer.at <= deadline { return }
        requestTimer?.task.cancel()
        requestTimer = (eventLoop.scheduleTask(deadline: deadline) { self.requestTimerWentOff() }, deadline)
    }

    /// Fails the requests whose time is up, and sets the timer for the next deadline.
    private func requestTimerWentOff() {
        requestTimer = nil
        let (expired, next) = requests.expire(now: .now())
        for (waiter, timeout) in expired {
            waiter.finish(.failure(ZooKeeperError(.operationTimeout, "no reply within \(timeout)")))
        }
        if let next { armRequestTimer(for: next) }
    }

    /// The caller no longer waits for request `id`.
    func cancel(id: UInt64) {
        eventLoop.execute { self.abandon(id: id, error: CancellationError()) }
    }

    /// Adds credentials, sent now and on every later connection.
    func addAuth(_ packet: AuthPacket) -> EventLoopFuture<Void> {
        eventLoop.flatSubmit {
            if let error = self.machine.terminalError { return self.eventLoop.makeFailedFuture(error) }
            self.credentials.append(packet)
            let promise = self.eventLoop.makePromise(of: Void.self)
            if self.machine.isConnected, let channel = self.channel {
                self.authWaiters.append(promise)
                self.write(self.frame(xid: SpecialXid.auth, packet), to: channel)
            } else {
                // Sent with the other credentials once connected; the caller need not wait for it.
                promise.succeed()
            }
            return promise.futureResult
        }
    }

    /// A new watcher id and its sink.
    func addSink(_ sink: WatchSink) -> EventLoopFuture<WatcherID> {
        eventLoop.submit {
            let id = WatcherID(rawValue: self.idGenerator.next())
            if let error = self.machine.terminalError {
                sink.finish(throwing: error)
            } else {
                self.sinks[id] = sink
            }
            return id
        }
    }

    /// Removes one local watcher; returns the registrations left without any watcher.
    func removeWatcher(_ watcher: WatcherID) -> EventLoopFuture<[(kind: WatchRegistry.Kind, path: String)]> {
        eventLoop.submit {
            self.sinks.removeValue(forKey: watcher)?.finish(throwing: nil)
            return self.watches.remove(watcher: watcher)
        }
    }

    /// After removeWatches succeeded: drop the local watchers it covered, ending their sequences.
    func watchesRemoved(serverPath: String, type: WatcherType) {
        eventLoop.execute {
            for id in self.watches.remove(path: serverPath, type: type) {
                self.sinks.removeValue(forKey: id)?.finish(throwing: nil)
            }
        }
    }

    /// Whether the local table has a watch of this kind on the path.
    func hasLocalWatch(_ kinds: [WatchRegistry.Kind], serverPath: String) -> EventLoopFuture<Bool> {
        eventLoop.submit { kinds.contains { self.watches.contains($0, path: serverPath) } }
    }

    func addStateListener(_ continuation: AsyncStream<ZooKeeperClient.State>.Continuation) {
        eventLoop.execute {
            let id = self.idGenerator.next()
            continuation.yield(self.state)
            if self.isFinished {
                continuation.finish()
                return
            }
            self.stateListeners[id] = continuation
            continuation.onTermination = { _ in self.eventLoop.execute { self.stateListeners[id] = nil } }
        }
    }

    func addEventListener(_ continuation: AsyncStream<WatchedEvent>.Continuation) {
        eventLoop.execute {
            let id = self.idGenerator.next()
            if self.isFinished {
                continuation.finish()
                return
            }
            self.eventListeners[id] = continuation
            continuation.onTermination = { _ in self.eventLoop.execute { self.eventListeners[id] = nil } }
        }
    }

    /// Session facts for `ZooKeeperClient.session`.
    func sessionInfo() -> EventLoopFuture<ZooKeeperClient.Session> {
        eventLoop.submit {
            ZooKeeperClient.Session(
                id: self.machine.sessionID, password: self.machine.password,
                timeout: .milliseconds(self.machine.negotiatedTimeout), state: self.state,
                server: self.connectedHost, lastZxidSeen: self.machine.lastZxidSeen,
                safeUntil: self.machine.sessionSafeUntil.map(ContinuousClock.Instant.init))
        }
    }

    func close() -> EventLoopFuture<ZooKeeperClient.CloseOutcome> {
        eventLoop.flatSubmit {
            let promise = self.eventLoop.makePromise(of: ZooKeeperClient.CloseOutcome.self)
            if self.machine.isTerminal {
                // Expired, refused or closed: the session is gone already; end what is left.
                if self.tickTask != nil { self.finish(with: self.machine.terminalError!, state: self.state) }
                promise.succeed(self.sessionClosed ? .sessionClosed : .noSession)
                return promise.futureResult
            }
            self.closeWaiters.append(promise)
            if self.closeTimeoutTask == nil {
                // Waiting for a reconnect only to close the session is bounded too: the session
                // then expires on the server by itself.
                let limit = min(
                    self.machine.isConnected ? self.machine.readTimeout : self.machine.connectTimeout, .seconds(2))
                self.closeTimeoutTask = self.eventLoop.scheduleTask(in: limit) {
                    self.perform(self.machine.closeCompleted())
                }
            }
            self.perform(self.machine.close())
            if self.closeWithoutWaiting { self.perform(self.machine.closeCompleted()) }
            return promise.futureResult
        }
    }

    /// The caller of `close()` stops waiting for the server: the client closes at once.
    func stopWaitingToClose() {
        eventLoop.execute {
            self.closeWithoutWaiting = true
            self.perform(self.machine.closeCompleted())
        }
    }

    // MARK: Channel events (on the loop)

    func channelActive(_ channel: any Channel, attempt: UInt64) {
        guard attempt == self.attempt else { return channel.close(promise: nil) }
        // A connection to a port of this machine where nothing listens can reach itself, when
        // the kernel picks that very port as its local one (TCP's simultaneous open): it would
        // read its own handshake back and call the port "not a ZooKeeper server".
        if let local = channel.localAddress, local == channel.remoteAddress {
            attemptFailed(ConnectionFailure(errno: ECONNREFUSED))
            return channel.close(promise: nil)
        }
        self.channel = channel
        perform(machine.channelActive(now: .now()))
    }

    func frameReceived(_ frame: ByteBuffer, attempt: UInt64) {
        guard attempt == self.attempt else { return }
        machine.frameReceived(now: .now())
        if case .handshaking = machine.phase {
            do {
                let response = try ConnectResponse(decodingAll: frame)
                perform(machine.connectResponseReceived(response, now: .now()))
            } catch {
                // A read-only server refuses to create a session with a bare reply header.
                if frame.readableBytes == 16, let header = try? ReplyHeader(decodingAll: frame), header.error != .ok {
                    attemptFailed(ConnectionFailure(cause: "the server refused the session: \(header.error.message)"))
                    channel?.close(promise: nil)
                } else {
                    attemptFailed(ConnectionFailure(NotZooKeeperServer(kind: .unknown)))
                    protocolViolation("unreadable connect response: \(error)")
                }
            }
            return
        }
        var body = frame
        let header: ReplyHeader
        do {
            header = try ReplyHeader(from: &body)
        } catch {
            return protocolViolation("unreadable reply header: \(error)")
        }
        if case .authenticating = machine.phase {
            // Nothing else is sent before the exchange ends: this is the server's SASL answer.
            return saslReplyReceived(header, body: body)
        }
        switch header.xid {
        case SpecialXid.notification:
            do {
                let event = try WatcherEvent(decodingAll: body)
                dispatch(event, zxid: header.zxid)
            } catch {
                protocolViolation("unreadable notification: \(error)")
            }
        case SpecialXid.ping:
            if let sentAt = pingsSent.popFirst() { machine.answered(sentAt: sentAt, now: .now(), byLeader: false) }
        case SpecialXid.auth:
            let waiter = authWaiters.popFirst() ?? nil
            if header.error == .ok {
                waiter?.succeed()
            } else {
                waiter?.fail(ZooKeeperError(header.error, "authentication failed"))
                if header.error == .authFailed { perform(machine.authFailed()) }
            }
        case SpecialXid.setWatches:
            if header.error != .ok {
                logger.warning("re-registering watches failed", metadata: ["error": "\(header.error)"])
            }
        default:
            switch requests.replyReceived(xid: header.xid, error: header.error) {
            case .protocolViolation(let message):
                protocolViolation(message)
            case .answer(let waiter, let sentAt, let opCode, let watch):
                machine.answered(
                    sentAt: sentAt, now: .now(),
                    byLeader: header.error == .ok && LeaderContact.needingTheLeader.contains(opCode))
                if header.zxid > 0 { machine.zxidSeen(header.zxid) }
                if let watch { watches.add(watch.kind, path: watch.path, watcher: watch.watcher) }
                waiter?.finish(.success(Reply(header: header, body: body)))
                if opCode == .closeSession {
                    sessionClosed = header.error == .ok
                    perform(machine.closeCompleted())
                }
            }
        }
    }

    /// A reply over the reply limit, skipped unread: the request it answers fails with
    /// `replyTooLarge`, and the connection stays. Nothing else may be that long.
    func oversizedReplyReceived(_ header: ReplyHeader, length: Int, attempt: UInt64) {
        guard attempt == self.attempt else { return }
        machine.frameReceived(now: .now())
        switch machine.phase {
        case .handshaking, .authenticating:
            return protocolViolation("a \(length)-byte frame during the handshake")
        default:
            break
        }
        guard header.xid >= 0 else {
            return protocolViolation("a \(length)-byte frame with xid \(header.xid) (not a reply's)")
        }
        switch requests.replyReceived(xid: header.xid, error: header.error) {
        case .protocolViolation:
            protocolViolation("a \(length)-byte frame with xid \(header.xid) (not the oldest request's)")
        case .answer(let waiter, let sentAt, _, _):
            // Its watch, if any, is not registered: nobody gets the reply to follow it.
            machine.answered(sentAt: sentAt, now: .now(), byLeader: false)
            if header.zxid > 0 { machine.zxidSeen(header.zxid) }
            let limit = configuration.maxReplyLength
            waiter?.finish(
                .failure(
                    ZooKeeperError(
                        .replyTooLarge, "the reply of \(length) bytes is over the client's limit of \(limit) bytes")))
        }
    }

    func channelInactive(attempt: UInt64) {
        guard attempt == self.attempt else { return }
        channel = nil
        if case .handshaking = machine.phase, attemptFailure == nil {
            attemptFailed(ConnectionFailure(cause: "the server closed the connection"))
        }
        perform(machine.channelClosed(definitive: attemptFailure?.isDefinitive ?? false))
    }

    func connectionError(_ error: Error, attempt: UInt64) {
        guard attempt == self.attempt else { return }
        attemptFailed(ConnectionFailure(error))
        logger.debug("connection error", metadata: ["error": "\(error)"])
    }

    /// Records why the current attempt failed, for the error `connect` may fail with.
    private func attemptFailed(_ failure: ConnectionFailure) {
        attemptFailure = failure
        // Running out of local ports says nothing of the host: a cause learned before stays.
        if failure.isLocal, connectFailures[machine.currentHost] != nil { return }
        connectFailures[machine.currentHost] = failure
    }

    /// Fails the wait for the first session with each host's cause; `waited`: how long a host
    /// with none on record was given.
    private func failSessionWaiters(waited: TimeAmount) {
        let error = ZooKeeperError.connectFailed(hosts: servers, failures: connectFailures, waited: waited)
        let waiters = sessionWaiters
        sessionWaiters = []
        waiters.forEach { $0.fail(error) }
    }

    // MARK: Actions

    private func perform(_ actions: [SessionStateMachine.Action]) {
        for action in actions {
            switch action {
            case .connect(let host, let timeout):
                connect(to: host, timeout: timeout)
            case .sendConnectRequest(let request):
                if let channel {
                    var buffer = channel.allocator.buffer(capacity: 64)
                    buffer.writeJuteFrame { request.encode(into: &$0) }
                    channel.writeAndFlush(buffer, promise: nil)
                }
            case .authenticate:
                startSASL()
            case .established(let sessionID, let newSession, let readOnly):
                if wasEstablished { instruments?.reconnected() }
                wasEstablished = true
                established(sessionID: sessionID, newSession: newSession, readOnly: readOnly)
            case .connectionLost:
                connectedHost = nil
                failSent(with: ZooKeeperError(.connectionLoss, "connection to the server was lost"))
            case .closeConnection:
                attempt += 1
                channel?.close(promise: nil)
                channel = nil
                connectedHost = nil
            case .giveUpConnecting:
                failSessionWaiters(waited: .zero)
            case .scheduleReconnect(let delay):
                reconnectTask = eventLoop.scheduleTask(in: delay) {
                    self.perform(self.machine.reconnectTimerFired())
                }
            case .sessionExpired:
                logger.info("session expired")
                instruments?.sessionExpired()
                let error = ZooKeeperError(.sessionExpired, "the session expired")
                failAll(with: error)
                endWatches(with: error)
                setState(.expired)
                if machine.isTerminal { finish(with: error, state: .expired) }
            case .authFailed:
                let error = ZooKeeperError(.authFailed, saslFailure ?? "the server rejected the credentials")
                finish(with: error, state: .authFailed)
            case .sendPing:
                if let channel {
                    var buffer = channel.allocator.buffer(capacity: 12)
                    buffer.writeRequestFrame(xid: SpecialXid.ping, PingRequest())
                    pingsSent.append(.now())
                    write(buffer, to: channel)
                }
            case .sendSync:
                sendUnanswered(SyncRequest(path: "/"))
            case .sendCloseSession:
                sendUnanswered(CloseSessionRequest())
            case .closed:
                finish(with: ZooKeeperError(.clientClosed, "the client was closed"), state: .closed)
            }
        }
        if !machine.isTerminal { setState(machine.derivedState) }
        if !actions.isEmpty && !ownershipWatches.isEmpty { checkOwnership() }
    }

    /// Writes a request of the client's own, whose reply nobody waits for, on the current
    /// connection (if any). Bypasses `enqueue`, which refuses requests once closing.
    private func sendUnanswered<Request: ZooKeeperRequest>(_ request: Request) {
        guard let channel else { return }
        var buffer = ByteBuffer()
        buffer.writeRequestFrame(xid: 0, request)
        send(
            OutgoingRequest(id: idGenerator.next(), frame: buffer, opCode: Request.opCode, watch: nil, waiter: nil),
            on: channel
        )
    }

    private func connect(to host: ConnectString.Host, timeout: TimeAmount) {
        attempt += 1
        attemptFailure = nil
        let attempt = self.attempt
        let maxReplyLength = configuration.maxReplyLength
        logger.debug("connecting", metadata: ["server": "\(host)"])
        let tls: NIOSSLContext?
        do {
            tls = try tlsContext()
        } catch {
            attemptFailed(ConnectionFailure(tlsConfiguration: error))
            return perform(machine.connectFailed(definitive: true))
        }
        // An IP address needs no resolver: connecting to it directly saves a lookup on another thread.
        let address = try? SocketAddress(ipAddress: host.host, port: host.port)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        // SNI carries names only; an IP address is checked against the certificate's IP SANs.
                        let name = address == nil ? host.host : nil
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: name))
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        ZooKeeperChannelHandler(core: self, attempt: attempt, maxReplyLength: maxReplyLength))
                }
            }
        (address.map { bootstrap.connect(to: $0) } ?? bootstrap.connect(host: host.host, port: host.port))
            .whenComplete { result in
                guard attempt == self.attempt else {
                    if case .success(let channel) = result { channel.close(promise: nil) }
                    return
                }
                switch result {
                case .success:
                    self.connectedHost = host
                case .failure(let error):
                    let failure = ConnectionFailure(error)
                    self.attemptFailed(failure)
                    self.logger.debug("connect failed", metadata: ["server": "\(host)", "error": "\(error)"])
                    self.perform(self.machine.connectFailed(definitive: failure.isDefinitive))
                }
            }
    }

    /// The TLS context, made on first use from the configuration (nil without TLS).
    private func tlsContext() throws -> NIOSSLContext? {
        guard let tls = configuration.tls else { return nil }
        if let sslContext { return sslContext }
        sslContext = try NIOSSLContext(configuration: tls)
        return sslContext
    }

    private func established(sessionID: Int64, newSession: Bool, readOnly: Bool) {
        guard let channel else { return }
        logger.debug(
            "session established",
            metadata: ["session": "0x\(String(UInt64(bitPattern: sessionID), radix: 16))", "new": "\(newSession)"])
        for packet in credentials {
            authWaiters.append(nil)
            write(frame(xid: SpecialXid.auth, packet), to: channel)
        }
        for batch in watches.reregistrationRequests(relativeZxid: machine.lastZxidSeen) {
            let buffer =
                batch.fitsSetWatches
                ? frame(xid: SpecialXid.setWatches, batch.asSetWatches) : frame(xid: SpecialXid.setWatches, batch)
            write(buffer, to: channel)
        }
        for frame in requests.sessionEstablished(now: .now()) {
            write(frame, to: channel)
        }
        let waiters = sessionWaiters
        sessionWaiters = []
        waiters.forEach { $0.succeed() }
    }

    // MARK: SASL

    /// Starts the exchange on the connection whose handshake just ended.
    private func startSASL() {
        guard let channel, let configuration = configuration.sasl else { return }
        var mechanism = configuration.makeMechanism(host: connectedHost?.host ?? machine.currentHost.host)
        logger.debug("SASL authentication", metadata: ["sasl": "\(configuration)"])
        do {
            let token = try mechanism.initialResponse()
            sasl = mechanism
            sendSASL(token, on: channel)
        } catch {
            saslFailed("SASL authentication failed: \(error.message) (\(configuration))")
        }
    }

    private func sendSASL(_ token: [UInt8], on channel: any Channel) {
        write(frame(xid: requests.nextXid(), SASLRequest(token: token)), to: channel)
    }

    private func saslReplyReceived(_ header: ReplyHeader, body: ByteBuffer) {
        guard var mechanism = sasl, let channel else { return }
        let login = configuration.sasl.map { "\($0)" } ?? "SASL"
        guard header.error == .ok else {
            return saslFailed(
                [.authFailed, .sessionClosedRequireSaslAuth].contains(header.error)
                    ? "SASL authentication failed: the server refused the login (\(login))"
                    : "SASL authentication failed: \(header.error.message) (\(login))")
        }
        do {
            let token = try SASLResponse(decodingAll: body).token
            switch try mechanism.evaluate(token) {
            case .respond(let response):
                sasl = mechanism
                sendSASL(response, on: channel)
            case .complete:
                sasl = nil
                logger.debug("SASL authenticated", metadata: ["sasl": "\(login)"])
                perform(machine.saslCompleted())
                for listener in stateListeners.values { listener.yield(.saslAuthenticated) }
            }
        } catch let error as SASLError {
            saslFailed("SASL authentication failed: \(error.message) (\(login))")
        } catch {
            protocolViolation("unreadable SASL reply: \(error)")
        }
    }

    /// The login cannot succeed: the client stops with authFailed, saying why.
    private func saslFailed(_ message: String) {
        sasl = nil
        saslFailure = message
        logger.warning("\(message)")
        perform(machine.authFailed())
    }

    // MARK: Requests

    private func enqueue(_ request: OutgoingRequest) {
        if let error = machine.terminalError {
            request.waiter?.finish(.failure(error))
            return
        }
        if machine.isConnected, let channel {
            send(request, on: channel)
        } else {
            requests.queue(request)
        }
    }

    private func send(_ request: OutgoingRequest, on channel: any Channel) {
        write(requests.send(request, now: .now()), to: channel)
    }

    /// Fails request `id` with `error` and forgets it, wherever it is: sent, queued, or still in
    /// the inbox (the inbox's loop task may run after a `cancel`, when another thread's request
    /// opened the inbox and had yet to schedule the task).
    private func abandon(id: UInt64, error: Error) {
        if let waiter = requests.abandon(id: id) ?? takeFromInbox(id: id) {
            waiter.finish(.failure(error))
        }
    }

    private func takeFromInbox(id: UInt64) -> ReplyWaiter? {
        inbox.withLock { inbox in
            guard let index = inbox.firstIndex(where: { $0.0.id == id }) else { return nil }
            return inbox.remove(at: index).0.waiter
        }
    }

    /// Appends to the output, flushed once per loop turn: pipelined requests share one buffer,
    /// one channel write and one syscall.
    private func write(_ frame: ByteBuffer, to channel: any Channel) {
        if output == nil {
            output = channel.allocator.buffer(capacity: max(4096, frame.readableBytes))
            eventLoop.execute { self.flushOutput() }
        }
        output!.writeImmutableBuffer(frame)
    }

    private func flushOutput() {
        guard let output else { return }
        self.output = nil
        guard let channel else { return }
        channel.writeAndFlush(output, promise: nil)
        machine.didSend(now: .now())
    }

    private func frame(xid: Int32, _ request: some ZooKeeperRequest) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeRequestFrame(xid: xid, request)
        return buffer
    }

    private func protocolViolation(_ message: String) {
        logger.warning("protocol violation, dropping the connection", metadata: ["reason": "\(message)"])
        channel?.close(promise: nil)
    }

    // MARK: Watches

    private func dispatch(_ event: WatcherEvent, zxid: Int64) {
        instruments?.watchEvent(event.type)
        let watchers = watches.trigger(event.type, path: event.path)
        let watched = WatchedEvent(type: event.type, path: chroot.clientPath(event.path), zxid: zxid > 0 ? zxid : nil)
        for listener in eventListeners.values {
            listener.yield(watched)
        }
        for id in watchers {
            guard let sink = sinks[id] else { continue }
            sink.deliver(watched)
            if case .oneShot = sink { sinks[id] = nil }
        }
    }

    private func endWatches(with error: Error) {
        _ = watches.removeAll()
        let all = sinks
        sinks = [:]
        for sink in all.values { sink.finish(throwing: error) }
    }

    // MARK: Failing and finishing

    private var isFinished: Bool { machine.isTerminal && tickTask == nil }

    private func failSent(with error: Error) {
        for waiter in requests.connectionLost() { waiter.finish(.failure(error)) }
        let auth = authWaiters
        authWaiters.removeAll()
        for waiter in auth { waiter?.fail(error) }
        pingsSent.removeAll()
    }

    private func failAll(with error: Error) {
        failSent(with: error)
        for waiter in requests.dropQueued() { waiter.finish(.failure(error)) }
    }

    private func finish(with error: ZooKeeperError, state: ZooKeeperClient.State) {
        tickTask?.cancel()
        tickTask = nil
        requestTimer?.task.cancel()
        requestTimer = nil
        reconnectTask?.cancel()
        closeTimeoutTask?.cancel()
        failAll(with: error)
        let waiters = sessionWaiters
        sessionWaiters = []
        for waiter in waiters { waiter.fail(error) }
        endWatches(with: error)
        setState(state)
        for listener in stateListeners.values { listener.finish() }
        stateListeners = [:]
        for listener in eventListeners.values { listener.finish() }
        eventListeners = [:]
        let closing = closeWaiters
        closeWaiters = []
        let outcome: ZooKeeperClient.CloseOutcome =
            sessionClosed
            ? .sessionClosed
            // Never established, or expired (which clears it): no session to close.
            : machine.sessionID == 0 || state == .authFailed ? .noSession : .sessionLeftToExpire
        for waiter in closing { waiter.succeed(outcome) }
        checkOwnership()
    }

    private func setState(_ newState: ZooKeeperClient.State) {
        guard newState != state else { return }
        logger.debug("state", metadata: ["state": "\(newState)"])
        state = newState
        for listener in stateListeners.values { listener.yield(newState) }
    }

    // MARK: Ownership

    /// A caller waiting for ownership through session `sessionID` to end.
    private struct OwnershipWatch {
        var sessionID: Int64
        var margin: TimeAmount
        var promise: EventLoopPromise<OwnershipLost>
        var timer: Scheduled<Void>?
    }

    /// Completes once work owned through session `sessionID` must stop: `margin` before the
    /// server could expire the session (nothing heard from it in time), or at once when the
    /// session is gone (expired, closed, replaced by a new one). Cancelled by `cancelOwnershipWatch(id:)`.
    func watchOwnership(id: UInt64, sessionID: Int64, margin: TimeAmount) -> EventLoopFuture<OwnershipLost> {
        eventLoop.flatSubmit {
            let promise = self.eventLoop.makePromise(of: OwnershipLost.self)
            self.ownershipWatches[id] = OwnershipWatch(sessionID: sessionID, margin: margin, promise: promise)
            self.checkOwnership(id)
            return promise.futureResult
        }
    }

    func cancelOwnershipWatch(id: UInt64) {
        eventLoop.execute {
            guard let watch = self.ownershipWatches.removeValue(forKey: id) else { return }
            watch.timer?.cancel()
            watch.promise.fail(CancellationError())
        }
    }

    private func checkOwnership() {
        for id in Array(ownershipWatches.keys) { checkOwnership(id) }
    }

    /// Ends the watch if its ownership is over; otherwise arms its timer for the moment it would
    /// be, which an answer from the server meanwhile postpones.
    private func checkOwnership(_ id: UInt64) {
        guard var watch = ownershipWatches[id] else { return }
        switch machine.ownership(of: watch.sessionID, margin: watch.margin, now: .now()) {
        case .lost(let reason):
            watch.timer?.cancel()
            ownershipWatches[id] = nil
            watch.promise.succeed(OwnershipLost(reason: reason, sessionID: watch.sessionID))
        case .safe(let cutoff):
            guard watch.timer == nil else { return }
            // Checked again then: an answer meanwhile will have moved the cutoff on.
            watch.timer = eventLoop.scheduleTask(deadline: cutoff) {
                self.ownershipWatches[id]?.timer = nil
                self.checkOwnership(id)
            }
            ownershipWatches[id] = watch
        }
    }

    private let idGenerator = IDGenerator()

    @available(macOS 15.0, *)
    var taskExecutor: any TaskExecutor { EventLoopTaskExecutor(eventLoop) }
}

/// Hands out unique ids from any thread.
final class IDGenerator: Sendable {
    private let counter = Atomic<UInt64>(0)
    func next() -> UInt64 { counter.add(1, ordering: .relaxed).newValue }
}
