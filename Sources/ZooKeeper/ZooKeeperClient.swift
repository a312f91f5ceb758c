import Logging
import NIOCore
import NIOPosix
import ZooKeeperProtocol

/// A ZooKeeper session: connects to one server of an ensemble at a time, survives connection
/// loss by moving to another with the same session, and re-registers its watches on the way.
///
/// ```swift
/// let zk = try await ZooKeeperClient.connect("127.0.0.1:2181")
/// try await zk.create("/config", data: "v1")
/// let config = try await zk.getData("/config")
/// print(try config.string, config.stat.version)
/// try await zk.close()
/// ```
///
/// Every method is safe to call from any task; requests are pipelined on one connection and
/// answered in order.
public final class ZooKeeperClient: Sendable {
    let core: ClientCore
    /// The connect string's chroot, or nil.
    public var chroot: String? { core.chroot.root }

    private init(core: ClientCore) {
        self.core = core
    }

    /// Connects and waits until the first session is established.
    ///
    /// - Parameters:
    ///   - connectString: `host1:port1,host2:port2/chroot`.
    ///   - configuration: timeouts, read-only mode, credentials, logging.
    ///   - eventLoopGroup: the group whose one event loop runs all of this client's I/O.
    /// - Throws: `ZooKeeperError` with code `.badArguments` for a bad connect string, `.connectFailed`
    ///   when no server accepts a session within the connect timeout (or sooner, with
    ///   `Configuration.failFast`, when every server refused twice in a row), its message naming
    ///   each server and the cause; `.authFailed` when the server refuses the configured credentials.
    public static func connect(
        _ connectString: String,
        configuration: Configuration = Configuration(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> ZooKeeperClient {
        let parsed = try ConnectString(connectString)
        let core = ClientCore(connectString: parsed, configuration: configuration, eventLoop: eventLoopGroup.next())
        let client = ZooKeeperClient(core: core)
        let timeout = configuration.connectTimeout ?? configuration.sessionTimeout
        try await withTaskCancellationHandler {
            try await core.start(timeout: .milliseconds(timeout.milliseconds)).get()
        } onCancel: {
            _ = core.close()
        }
        return client
    }

    /// Starts connecting and returns at once, without waiting for a session: the client keeps
    /// trying the servers until one accepts a session or the client is closed, as an interactive
    /// shell needs when it starts before its server. `states()` tells when the session is
    /// established (it starts `connecting`).
    ///
    /// Requests made meanwhile wait for the session; with ``Configuration/requestTimeout`` they
    /// give up after it, with `operationTimeout`.
    ///
    /// ```swift
    /// var configuration = ZooKeeperClient.Configuration()
    /// configuration.requestTimeout = .seconds(5)
    /// let zk = try ZooKeeperClient.start("127.0.0.1:2181", configuration: configuration)
    /// ```
    ///
    /// - Parameters:
    ///   - connectString: `host1:port1,host2:port2/chroot`.
    ///   - configuration: timeouts (the request timeout bounds a request's wait for a session),
    ///     read-only mode, credentials, logging; `failFast` does not apply, the client keeps trying.
    ///   - eventLoopGroup: the group whose one event loop runs all of this client's I/O.
    /// - Throws: `ZooKeeperError` with code `.badArguments` for a bad connect string.
    public static func start(
        _ connectString: String,
        configuration: Configuration = Configuration(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws(ZooKeeperError) -> ZooKeeperClient {
        let parsed = try ConnectString(connectString)
        // Nobody waits for the first session here: never give up on it.
        var configuration = configuration
        configuration.failFast = false
        let core = ClientCore(connectString: parsed, configuration: configuration, eventLoop: eventLoopGroup.next())
        core.start()
        return ZooKeeperClient(core: core)
    }

    /// An executor that runs tasks on this client's I/O thread. A task that sends many requests
    /// through this client runs cheapest with it as its preference: its requests and the replies
    /// that resume it then stay on one thread.
    ///
    /// ```swift
    /// try await withTaskExecutorPreference(zk.taskExecutor) {
    ///     for path in paths { try await zk.delete(path) }
    /// }
    /// ```
    ///
    /// Such a task must not block: it would stall every request of the client meanwhile.
    @available(macOS 15.0, *)
    public var taskExecutor: any TaskExecutor { core.taskExecutor }

    /// Closes the session: its ephemeral nodes are deleted and its watches end. Requests still
    /// waiting fail with `clientClosed`. Closing twice is harmless.
    ///
    /// The client is closed when this returns, whatever the server said: it waits for the
    /// server to confirm at most two seconds (reconnecting first if the connection is down), and
    /// not at all once the calling task is cancelled. The outcome says whether the session was
    /// closed on the server or is left to expire there (its ephemeral nodes stay until then).
    @discardableResult
    public func close() async throws -> CloseOutcome {
        let core = self.core
        return try await withTaskCancellationHandler {
            try await core.close().get()
        } onCancel: {
            core.stopWaitingToClose()
        }
    }

    /// What became of the session when the client closed.
    public enum CloseOutcome: Hashable, Sendable {
        /// The server closed the session: its ephemeral nodes are gone.
        case sessionClosed
        /// The server could not be told in time (unreachable, or the caller stopped waiting):
        /// the session and its ephemeral nodes live on the server until the session expires.
        case sessionLeftToExpire
        /// There was no session to close: none was established, or it had expired or been refused.
        case noSession
    }

    /// The session's current facts.
    public struct Session: Hashable, Sendable {
        /// The session id (0 before the first session).
        public var id: Int64
        /// The session password, needed to resume the session from elsewhere.
        public var password: [UInt8]
        /// The timeout the server granted.
        public var timeout: Duration
        /// The client's state.
        public var state: State
        /// The server of the current connection, if connected.
        public var server: ConnectString.Host?
        /// The highest zxid the client has seen.
        public var lastZxidSeen: Int64
        /// The earliest moment the server could expire the session (nil without one): a session
        /// timeout after the leader last heard from the client, as far as the client can prove it
        /// (see `ownershipLost(sessionID:margin:)`, which keeps proving it while it waits).
        public var safeUntil: ContinuousClock.Instant?

        /// The id and password, for `Configuration.resumeSession`.
        public var credentials: SessionCredentials { SessionCredentials(id: id, password: password) }
    }

    /// The session's current facts.
    public func session() async throws -> Session {
        try await core.sessionInfo().get()
    }

    /// The state now, then every change, until the client closes.
    public func states() -> AsyncStream<State> {
        let (stream, continuation) = AsyncStream<State>.makeStream(bufferingPolicy: .unbounded)
        core.addStateListener(continuation)
        return stream
    }

    /// Every watch notification this client receives, whatever watch it is for, from now until
    /// the client closes.
    public func events() -> AsyncStream<WatchedEvent> {
        let (stream, continuation) = AsyncStream<WatchedEvent>.makeStream(bufferingPolicy: .unbounded)
        core.addEventListener(continuation)
        return stream
    }

    // MARK: Sending

    /// Sends one request and decodes its reply; a server error becomes a `ZooKeeperError` naming
    /// `path`. Measured and traced when the client has instruments (see `ClientInstruments`).
    func execute<Request: ZooKeeperRequest>(
        _ request: Request, path: String?, watch: WatchRegistration? = nil
    ) async throws -> Request.Response {
        guard let instruments = core.instruments else { return try await send(request, path: path, watch: watch) }
        return try await instruments.measure(Request.opCode, path: path) {
            try await send(request, path: path, watch: watch)
        }
    }

    private func send<Request: ZooKeeperRequest>(
        _ request: Request, path: String?, watch: WatchRegistration?
    ) async throws -> Request.Response {
        let frame = try requestFrame(request, path: path)
        let timeout = core.configuration.requestTimeout.map { TimeAmount.milliseconds($0.milliseconds) }
        let id = core.nextRequestID()
        let reply: Reply
        do {
            reply = try await withTaskCancellationHandler {
                try await withUnsafeThrowingContinuation { continuation in
                    // Cancelled already: `onCancel` has run, before there was anything to cancel.
                    if Task.isCancelled { return continuation.resume(throwing: CancellationError()) }
                    core.submit(
                        id: id, frame: frame, opCode: Request.opCode, watch: watch, timeout: timeout,
                        waiter: ReplyWaiter(continuation))
                }
            } onCancel: {
                core.cancel(id: id)
            }
        } catch var error as ZooKeeperError {
            error.path = error.path ?? path
            throw error
        }
        return try Self.response(to: Request.self, from: reply, path: path).get()
    }

    /// The frame of a request, its xid still to be filled in.
    func requestFrame<Request: ZooKeeperRequest>(
        _ request: Request, path: String?
    ) throws(ZooKeeperError) -> ByteBuffer {
        // Room for most requests at once, instead of growing it write by write.
        var frame = ByteBufferAllocator().buffer(capacity: 256)
        frame.writeRequestFrame(xid: 0, request)
        // A server drops the whole connection for a frame over its limit (jute.maxbuffer),
        // failing every other request in flight: refuse it here instead.
        guard frame.readableBytes - 4 <= core.configuration.maxFrameLength else {
            throw ZooKeeperError(
                .badArguments,
                "request of \(frame.readableBytes - 4) bytes exceeds the \(core.configuration.maxFrameLength)-byte limit",
                path: path)
        }
        return frame
    }

    /// A reply's record, or its server error as a `ZooKeeperError` naming `path`: the one mapping
    /// of replies to errors, for the client and for `zk`'s blocking one-shot reads.
    package static func response<Request: ZooKeeperRequest>(
        to: Request.Type, from reply: Reply, path: String?
    ) -> Result<Request.Response, ZooKeeperError> {
        guard reply.header.error == .ok else {
            return .failure(ZooKeeperError(reply.header.error, path: path))
        }
        var body = reply.body
        do {
            return .success(try Request.Response(from: &body))
        } catch {
            return .failure(
                ZooKeeperError(.marshallingError, "unreadable \(Request.opCode) reply: \(error)", path: path))
        }
    }

    /// Checks a caller's path and returns the server's path for it.
    func serverPath(_ path: String, isSequential: Bool = false) throws(ZooKeeperError) -> String {
        if let problem = PathValidation.problem(with: path, isSequential: isSequential) {
            throw ZooKeeperError(.badArguments, problem, path: path)
        }
        return core.chroot.serverPath(path)
    }

    /// The caller's path for a server path.
    func clientPath(_ serverPath: String) -> String {
        core.chroot.clientPath(serverPath)
    }
}
