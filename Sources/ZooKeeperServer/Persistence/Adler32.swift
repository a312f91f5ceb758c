/// Adler-32 (RFC 1950), the checksum Apache ZooKeeper puts on every log record and snapshot
/// (`java.util.zip.Adler32`).
public struct Adler32: Sendable {
    private var a: UInt32 = 1
    private var b: UInt32 = 0

    public init() {}

    /// The checksum of everything added so far.
    public var value: UInt32 { b << 16 | a }

    /// Adds bytes to the checksum.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        // 5552 bytes is the most that can be summed before b may overflow 32 bits.
        var pending = 0
        for byte in bytes {
            a &+= UInt32(byte)
            b &+= a
            pending += 1
            if pending == 5552 {
                a %= 65521
                b %= 65521
                pending = 0
            }
        }
        a %= 65521
        b %= 65521
    }

    /// The checksum of `bytes`.
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var adler = Adler32()
        adler.update(bytes)
        return adler.value
    }
}
