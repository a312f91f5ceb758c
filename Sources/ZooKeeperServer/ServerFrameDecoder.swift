import NIOCore
import ZooKeeperProtocol

/// What arrives on a server connection: a four-letter word (only as the very first bytes) or a frame.
enum ServerInbound {
    case fourLetterWord(String)
    case frame(ByteBuffer)
}

/// Frames as `JuteFrameDecoder` reads them, except that the first four bytes of a connection may
/// be a four-letter word: as a length they would be far above any frame limit, so they are told
/// apart without ambiguity.
struct ServerFrameDecoder {
    static let words: Set<String> = [
        "conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "ruok", "stmk", "srst", "srvr", "stat",
        "wchc", "wchp", "wchs", "mntr", "isro", "hash",
    ]

    private var frames: JuteFrameDecoder
    private var first = true

    init(maxFrameLength: Int) {
        frames = JuteFrameDecoder(maxFrameLength: maxFrameLength)
    }

    /// The next word or whole frame at the front of `buffer` (consumed), or nil when it has not
    /// fully arrived; throws for a frame over the limit.
    mutating func decode(buffer: inout ByteBuffer) throws -> ServerInbound? {
        if first {
            guard let bytes = buffer.getBytes(at: buffer.readerIndex, length: 4) else { return nil }
            first = false
            let word = String(decoding: bytes, as: UTF8.self)
            if Self.words.contains(word) {
                buffer.moveReaderIndex(forwardBy: 4)
                return .fourLetterWord(word)
            }
        }
        return try frames.decode(buffer: &buffer).map(ServerInbound.frame)
    }
}
