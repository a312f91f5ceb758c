import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A loopback TCP proxy for fault tests: forwards to an upstream port, and on demand drops every
/// connection and refuses new ones (a partition), stalls them (a dead path), resets them (RST) or
/// half-closes them (FIN to the client while the server's side stays open).
public final class TCPProxy: Sendable {
    private struct State {
        var blocked = false
        var stalled = false
        /// Relayed connections: the client's side, then the server's.
        var pairs: [(client: any Channel, server: any Channel)] = []

        mutating func takeAll() -> [(client: any Channel, server: any Channel)] {
            defer { pairs = [] }
            return pairs
        }
    }

    public let upstreamPort: Int
    private let state = NIOLockedValueBox(State())
    private let server: NIOLockedValueBox<(any Channel)?> = NIOLockedValueBox(nil)

    private init(upstreamPort: Int) {
        self.upstreamPort = upstreamPort
    }

    /// The port clients connect to.
    public var port: Int { server.withLockedValue { $0?.localAddress?.port ?? 0 } }

    public static func start(upstreamPort: Int) async throws -> TCPProxy {
        let proxy = TCPProxy(upstreamPort: upstreamPort)
        let group = MultiThreadedEventLoopGroup.singleton
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in proxy.accept(inbound) }
            .bind(host: "127.0.0.1", port: 0).get()
        proxy.server.withLockedValue { $0 = channel }
        return proxy
    }

    private func accept(_ inbound: any Channel) -> EventLoopFuture<Void> {
        if state.withLockedValue({ $0.blocked }) {
            return inbound.close()
        }
        return ClientBootstrap(group: inbound.eventLoop)
            .connect(host: "127.0.0.1", port: upstreamPort)
            .flatMap { outbound in
                self.state.withLockedValue { $0.pairs.append((inbound, outbound)) }
                return inbound.pipeline.addHandler(Relay(peer: outbound, proxy: self)).flatMap {
                    outbound.pipeline.addHandler(Relay(peer: inbound, proxy: self))
                }
            }
    }

    /// Drops every connection and refuses new ones until `unblock()`.
    public func block() {
        let pairs = state.withLockedValue { state in
            state.blocked = true
            return state.takeAll()
        }
        for pair in pairs {
            pair.client.close(promise: nil)
            pair.server.close(promise: nil)
        }
    }

    /// Aborts every connection with a TCP reset on both sides (SO_LINGER 0), as a crashed
    /// middlebox would; new connections are relayed as before.
    public func reset() {
        for pair in state.withLockedValue({ $0.takeAll() }) {
            for channel in [pair.client, pair.server] {
                let provider = channel as! any SocketOptionProvider
                provider.setSoLinger(linger(l_onoff: 1, l_linger: 0))
                    .whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }

    /// Sends the client a FIN on every connection while the server's side stays open and bytes
    /// from the client still reach the server; new connections are relayed as before.
    public func halfClose() {
        for pair in state.withLockedValue({ $0.takeAll() }) {
            pair.client.close(mode: .output, promise: nil)
        }
    }

    public func unblock() {
        state.withLockedValue { $0.blocked = false }
    }

    /// The local ports of the proxy's connections to the server: the client addresses the server
    /// sees for them (in `cons`, say).
    public var upstreamLocalPorts: [Int] {
        state.withLockedValue { $0.pairs.compactMap { $0.server.localAddress?.port } }
    }

    /// Keeps connections open but silently drops every byte, as a dead network path would.
    public func stall() {
        state.withLockedValue { $0.stalled = true }
    }

    public func unstall() {
        state.withLockedValue { $0.stalled = false }
    }

    fileprivate var isStalled: Bool { state.withLockedValue { $0.stalled } }

    public func stop() {
        block()
        server.withLockedValue { $0?.close(promise: nil) }
    }
}

/// Copies bytes to the peer channel (unless the proxy stalls) and closes it when this side closes.
private final class Relay: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let peer: any Channel
    let proxy: TCPProxy

    init(peer: any Channel, proxy: TCPProxy) {
        self.peer = peer
        self.proxy = proxy
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !proxy.isStalled else { return }
        peer.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        peer.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
