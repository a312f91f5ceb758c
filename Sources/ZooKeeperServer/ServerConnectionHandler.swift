import NIOCore
import NIOSSL
import NIOTLS
import ZooKeeperProtocol

/// One client connection: cuts what arrives into frames (or a four-letter word first), hands them
/// to the server core (on the same event loop) and flushes the replies once per read burst, so
/// pipelined replies share one buffer and one write. It frames by itself rather than through a
/// `ByteToMessageHandler`: on the server's hot path that saves a pipeline hop and a dynamic cast
/// per frame.
final class ServerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let core: ServerCore
    private var connection: ServerConnection?
    private var decoder: ServerFrameDecoder
    /// The start of a frame whose remaining bytes have not arrived yet.
    private var pending: ByteBuffer?

    init(core: ServerCore) {
        self.core = core
        decoder = ServerFrameDecoder(maxFrameLength: core.configuration.maxFrameLength)
    }

    func channelActive(context: ChannelHandlerContext) {
        connection = core.connectionOpened(context.channel)
        if connection == nil { context.close(promise: nil) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if var pending {
            self.pending = nil
            pending.writeBuffer(&buffer)
            buffer = pending
        }
        do {
            // The connection goes (channelInactive) as soon as the core closes it.
            while let connection, let inbound = try decoder.decode(buffer: &buffer) {
                core.received(inbound, on: connection)
            }
        } catch {
            // A malformed or oversized frame ends this connection only.
            context.close(promise: nil)
            return
        }
        if connection != nil, buffer.readableBytes > 0 { pending = buffer }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let connection { core.flush(connection) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let connection { core.connectionClosed(connection.id) }
        connection = nil
        pending = nil
        context.fireChannelInactive()
    }

    /// On the TLS port: once the handshake is over, a verified client certificate's subject is
    /// the connection's `x509` identity (before any request can arrive).
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent, let connection,
            let tls = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
            let certificate = tls.peerCertificate, let subject = X509Identity.subject(of: certificate)
        {
            core.authenticated(Id(scheme: "x509", id: subject), on: connection)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
