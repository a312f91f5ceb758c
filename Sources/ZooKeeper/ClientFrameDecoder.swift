import NIOCore
import ZooKeeperProtocol

/// What the client's frame decoder yields.
enum ClientFrame: Hashable {
    /// A whole frame's body.
    case frame(ByteBuffer)
    /// A reply longer than the reply limit: its header, read before the rest of it was skipped
    /// unread, and its length.
    case oversized(ReplyHeader, length: Int)
}

/// The client's frame decoder: Jute frames, but a connection whose first bytes cannot begin a
/// handshake reply fails at once with ``NotZooKeeperServer`` (saying what answered instead),
/// rather than as a frame too large.
///
/// A later frame over the reply limit does not end the connection: its reply header is read and
/// yielded, so that the request it answers fails alone, and the rest of the frame is skipped as it
/// arrives, never held in memory.
///
/// ``ZooKeeperChannelHandler`` runs it on the bytes it reads (NIO's `ByteToMessageHandler`,
/// generic over the decoder, looked up type metadata at run time on every read).
struct ClientFrameDecoder {
    private let maxReplyLength: Int
    private var firstFrame: JuteFrameDecoder
    private var checkedFirstBytes = false
    private var readFirstFrame = false
    /// The bytes of an oversized frame still to skip.
    private var skipping = 0

    /// The size of a reply header: xid, zxid and error code.
    private static let replyHeaderLength = 16

    init(maxReplyLength: Int) {
        self.maxReplyLength = maxReplyLength
        firstFrame = JuteFrameDecoder(maxFrameLength: maxReplyLength)
    }

    /// The next frame at the front of `buffer` (consumed), nil until it has all arrived.
    mutating func decode(buffer: inout ByteBuffer) throws -> ClientFrame? {
        if !checkedFirstBytes {
            guard buffer.readableBytes >= 4 else { return nil }
            // Enough to name a text protocol by its first line.
            let first = buffer.getBytes(at: buffer.readerIndex, length: min(buffer.readableBytes, 64))!
            if let foreign = NotZooKeeperServer(firstBytes: first) { throw foreign }
            checkedFirstBytes = true
        }
        if !readFirstFrame {
            // The handshake reply: nothing to fail but the connection when it is too large.
            guard let frame = try firstFrame.decode(buffer: &buffer) else { return nil }
            readFirstFrame = true
            return .frame(frame)
        }
        if skipping > 0 {
            let skipped = min(skipping, buffer.readableBytes)
            buffer.moveReaderIndex(forwardBy: skipped)
            skipping -= skipped
            if skipping > 0 { return nil }
        }
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return nil }
        guard length >= 0 else { throw JuteError(.frameTooLarge, "frame length \(length)") }
        let bodyLength = Int(length)
        if bodyLength <= maxReplyLength || bodyLength < Self.replyHeaderLength {
            guard buffer.readableBytes >= 4 + bodyLength else { return nil }
            buffer.moveReaderIndex(forwardBy: 4)
            return .frame(buffer.readSlice(length: bodyLength)!)
        }
        guard buffer.readableBytes >= 4 + Self.replyHeaderLength else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        var headerBytes = buffer.readSlice(length: Self.replyHeaderLength)!
        let header = try ReplyHeader(from: &headerBytes)
        skipping = bodyLength - Self.replyHeaderLength
        return .oversized(header, length: bodyLength)
    }
}
