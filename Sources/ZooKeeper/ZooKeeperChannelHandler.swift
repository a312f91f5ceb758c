import NIOCore

/// Cuts one connection's bytes into frames (``ClientFrameDecoder``) and forwards them and the
/// connection's lifecycle to the client core; holds no protocol state.
///
/// Each connection attempt has its own number, so events from a connection the core has already
/// given up on are ignored there.
final class ZooKeeperChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let core: ClientCore
    private let attempt: UInt64
    private var decoder: ClientFrameDecoder
    /// Bytes read and not yet part of a whole frame.
    private var unread: ByteBuffer?
    /// Set once the bytes could not be decoded: the connection is being closed, nothing more is read.
    private var failed = false

    init(core: ClientCore, attempt: UInt64, maxReplyLength: Int) {
        self.core = core
        self.attempt = attempt
        decoder = ClientFrameDecoder(maxReplyLength: maxReplyLength)
    }

    func channelActive(context: ChannelHandlerContext) {
        core.channelActive(context.channel, attempt: attempt)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        // Taken out while frames go to the core, which may close the connection meanwhile.
        var bytes = unwrapInboundIn(data)
        if var earlier = unread {
            unread = nil
            earlier.writeImmutableBuffer(bytes)
            bytes = earlier
        }
        do {
            while context.channel.isActive, let frame = try decoder.decode(buffer: &bytes) {
                switch frame {
                case .frame(let frame): core.frameReceived(frame, attempt: attempt)
                case .oversized(let header, let length):
                    core.oversizedReplyReceived(header, length: length, attempt: attempt)
                }
            }
        } catch {
            failed = true
            errorCaught(context: context, error: error)
            return
        }
        guard context.channel.isActive, bytes.readableBytes > 0 else { return }
        // The bytes of the frames passed on stay in front of the rest only until it is whole.
        if bytes.readerIndex >= 1 << 16 { bytes.discardReadBytes() }
        unread = bytes
    }

    func channelInactive(context: ChannelHandlerContext) {
        unread = nil
        core.channelInactive(attempt: attempt)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        core.connectionError(error, attempt: attempt)
        context.close(promise: nil)
    }
}
