import NIOCore
import ZooKeeperProtocol

/// The client's frame decoder: Jute frames, but a connection whose first bytes cannot begin a
/// handshake reply fails at once with ``NotZooKeeperServer`` (saying what answered instead),
/// rather than as a frame too large.
struct ClientFrameDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    private var frames: JuteFrameDecoder
    private var checkedFirstBytes = false

    init(maxFrameLength: Int) {
        frames = JuteFrameDecoder(maxFrameLength: maxFrameLength)
    }

    mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        if !checkedFirstBytes {
            guard buffer.readableBytes >= 4 else { return nil }
            // Enough to name a text protocol by its first line.
            let first = buffer.getBytes(at: buffer.readerIndex, length: min(buffer.readableBytes, 64))!
            if let foreign = NotZooKeeperServer(firstBytes: first) { throw foreign }
            checkedFirstBytes = true
        }
        return try frames.decode(buffer: &buffer)
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        try decode(buffer: &buffer)
    }
}
