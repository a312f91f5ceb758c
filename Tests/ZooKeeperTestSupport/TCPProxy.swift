import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A loopback TCP proxy for fault tests: forwards to an upstream port, and when blocked drops
/// every connection and refuses new ones, as a network partition between client and server would.
public final class TCPProxy: Sendable {
    private struct State {
        var blocked = false
        var stalled = false
        var channels: [any Channel] = []
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
                self.state.withLockedValue { $0.channels += [inbound, outbound] }
                return inbound.pipeline.addHandler(Relay(peer: outbound, proxy: self)).flatMap {
                    outbound.pipeline.addHandler(Relay(peer: inbound, proxy: self))
                }
            }
    }

    /// Drops every connection and refuses new ones until `unblock()`.
    public func block() {
        let channels = state.withLockedValue { state in
            state.blocked = true
            let channels = state.channels
            state.channels = []
            return channels
        }
        for channel in channels { channel.close(promise: nil) }
    }

    public func unblock() {
        state.withLockedValue { $0.blocked = false }
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
