import NIOCore

/// Forwards one connection's frames and lifecycle to the client core; holds no protocol state.
///
/// Each connection attempt has its own number, so events from a connection the core has already
/// given up on are ignored there.
final class ZooKeeperChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ClientFrame

    private let core: ClientCore
    private let attempt: UInt64

    init(core: ClientCore, attempt: UInt64) {
        self.core = core
        self.attempt = attempt
    }

    func channelActive(context: ChannelHandlerContext) {
        core.channelActive(context.channel, attempt: attempt)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .frame(let frame): core.frameReceived(frame, attempt: attempt)
        case .oversized(let header, let length): core.oversizedReplyReceived(header, length: length, attempt: attempt)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        core.channelInactive(attempt: attempt)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        core.connectionError(error, attempt: attempt)
        context.close(promise: nil)
    }
}
