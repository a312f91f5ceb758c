import NIOCore

/// One client connection: forwards its frames to the server core (on the same event loop) and
/// flushes once per read burst, so pipelined replies share a write.
final class ServerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ServerInbound

    private let core: ServerCore
    private var connection: ConnectionID?

    init(core: ServerCore) {
        self.core = core
    }

    func channelActive(context: ChannelHandlerContext) {
        connection = core.connectionOpened(context.channel)
        if connection == nil { context.close(promise: nil) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let connection else { return }
        switch unwrapInboundIn(data) {
        case .fourLetterWord(let word):
            core.fourLetterWord(word, on: connection)
        case .frame(let frame):
            core.frameReceived(frame, on: connection)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let connection { core.connectionClosed(connection) }
        connection = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A malformed or oversized frame ends this connection only.
        context.close(promise: nil)
    }
}
