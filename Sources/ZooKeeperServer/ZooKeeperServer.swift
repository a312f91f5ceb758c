import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import ZooKeeperProtocol

/// A single-node ZooKeeper-compatible server: in-process for tests, or standalone as `zk serve`.
///
/// ```swift
/// var configuration = ZooKeeperServer.Configuration()
/// configuration.port = 0
/// let server = try await ZooKeeperServer.start(configuration: configuration)
/// let zk = try await ZooKeeperClient.connect(server.connectString)
/// ...
/// try await server.shutdown()
/// ```
///
/// Every connection is served on one event loop, which owns the data tree, the sessions and the
/// watches: requests are applied in arrival order and answered in order, as ZooKeeper does.
public final class ZooKeeperServer: Sendable {
    let core: ServerCore
    private let channel: any Channel
    /// The TLS port's listening channel, if any.
    private let secureChannel: (any Channel)?
    /// Why the server stopped by itself, if it did.
    private let failure = NIOLockedValueBox<String?>(nil)
    /// The shutdown, once one has started.
    private let stopping = NIOLockedValueBox<Task<Void, any Error>?>(nil)

    /// The port the server listens on.
    public let port: Int
    /// The server's address as a connect string, `host:port`.
    public var connectString: String { "\(core.configuration.host):\(port)" }
    /// The TLS port (``Configuration/securePort``), once bound; nil without TLS.
    public let securePort: Int?

    private init(core: ServerCore, channel: any Channel, secureChannel: (any Channel)?) {
        self.core = core
        self.channel = channel
        self.secureChannel = secureChannel
        self.port = channel.localAddress?.port ?? 0
        self.securePort = secureChannel?.localAddress?.port
    }

    /// Binds and starts serving.
    public static func start(
        configuration: Configuration = Configuration(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> ZooKeeperServer {
        let loop = eventLoopGroup.next()
        let core = ServerCore(configuration: configuration, eventLoop: loop)
        if let directory = configuration.dataDirectory {
            let (store, recovered) = try DurableStore.open(
                directory: directory, compression: configuration.snapshotCompression)
            do {
                // Here, not on the loop, so that the recovered tree is handed over rather than
                // shared with a closure (the first replayed transaction would copy it whole):
                // nothing reaches the core through its loop before it serves.
                try core.restore(from: store, recovered)
            } catch {
                await store.close()
                throw error
            }
        }
        let channel: any Channel
        var secureChannel: (any Channel)?
        do {
            channel = try await bind(core, port: configuration.port, tls: nil)
            if let tls = configuration.tls, let securePort = configuration.securePort {
                do {
                    secureChannel = try await bind(core, port: securePort, tls: try NIOSSLContext(configuration: tls))
                } catch {
                    try? await channel.close().get()
                    throw error
                }
            }
        } catch {
            // The data directory was opened: its threads end here.
            if let store = try? await loop.flatSubmit({ core.stopLogging() }).get() { await store.close() }
            throw error
        }
        try await loop.submit { core.startTimers() }.get()
        configuration.logger.info(
            "serving", metadata: ["address": "\(configuration.host):\(channel.localAddress?.port ?? 0)"])
        if let secureChannel {
            configuration.logger.info(
                "serving TLS", metadata: ["address": "\(configuration.host):\(secureChannel.localAddress?.port ?? 0)"])
        }
        let server = ZooKeeperServer(core: core, channel: channel, secureChannel: secureChannel)
        // Without its disk the server must not serve on: it stops listening, and
        // `waitUntilClosed()` says why.
        try await loop.submit {
            core.onFatalError = { [weak server] reason in
                guard let server else { return }
                server.failure.withLockedValue { $0 = reason }
                server.secureChannel?.close(promise: nil)
                server.channel.close(promise: nil)
            }
        }.get()
        return server
    }

    /// Listens on `port` of the configured host; with `tls`, connections are TLS and a verified
    /// client certificate gives them an `x509` identity.
    private static func bind(_ core: ServerCore, port: Int, tls: NIOSSLContext?) async throws -> any Channel {
        try await ServerBootstrap(group: core.eventLoop, childGroup: core.eventLoop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // Each connection keeps its receive buffer between reads, at the largest size it
            // has grown to: NIO's default (2 KiB to start, up to 64 KiB) was a third of an idle
            // session's memory. Pings and most requests fit in 128 bytes; a burst doubles it per
            // full read, up to 16 KiB (10k sessions of bench/session_holder.py: 5.7 KB per session
            // before, 3.8 KB after; the zk bench load ran as fast).
            .childChannelOption(
                .recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 128, maximum: 16384)
            )
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    if let tls { try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try child.pipeline.syncOperations.addHandler(ServerConnectionHandler(core: core))
                }
            }
            .bind(host: core.configuration.host, port: port).get()
    }

    /// Stops listening and closes every connection; sessions end with the process.
    ///
    /// Shutting down again, or concurrently, is harmless: every call returns when the first
    /// shutdown is over, and throws what it threw.
    public func shutdown() async throws {
        let stop = stopping.withLockedValue { stopping in
            if let stopping { return stopping }
            let stop = Task { try await self.stop() }
            stopping = stop
            return stop
        }
        try await stop.value
    }

    private func stop() async throws {
        try? await secureChannel?.close().get()
        do {
            try await channel.close().get()
        } catch ChannelError.alreadyClosed {
            // Stopped by itself already (its data directory failed).
        }
        let store = try await core.eventLoop.flatSubmit {
            self.core.stopTimers()
            self.core.closeAll()
            return self.core.stopLogging()
        }.get()
        await store?.close()
    }

    /// Waits until the server is shut down (its data directory closed, a snapshot being written
    /// finished); throws if it stopped because its data directory failed.
    public func waitUntilClosed() async throws {
        try await channel.closeFuture.get()
        // A shutdown closes the listening channel first and the data directory last.
        if let stop = stopping.withLockedValue({ $0 }) { try? await stop.value }
        if let reason = failure.withLockedValue({ $0 }) {
            throw ServerStopped(reason: reason)
        }
    }

    /// The server stopped by itself: its transaction log could not be written.
    public struct ServerStopped: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { "the server stopped: \(reason)" }
    }

    /// Runs `body` with a server on a free loopback port, and shuts it down afterwards (`body` may
    /// shut it down itself).
    public static func withServer<T>(
        configuration: Configuration = Configuration(port: 0),
        _ body: (ZooKeeperServer) async throws -> T
    ) async throws -> T {
        let server = try await start(configuration: configuration)
        do {
            let result = try await body(server)
            try await server.shutdown()
            return result
        } catch {
            try? await server.shutdown()
            throw error
        }
    }
}

extension ZooKeeperServer.Configuration {
    /// The defaults, on another port (0: a free one).
    public init(port: Int) {
        self.init()
        self.port = port
    }
}
