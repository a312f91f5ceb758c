import CZlib

/// Adler-32 (RFC 1950), the checksum Apache ZooKeeper puts on every log record and snapshot
/// (`java.util.zip.Adler32`), computed by zlib's `adler32`.
struct Adler32: Sendable {
    /// The checksum of everything added so far.
    private(set) var value: UInt32 = 1

    init() {}

    /// Adds bytes to the checksum.
    mutating func update(_ bytes: some Sequence<UInt8>) {
        let running = UInt(value)
        let updated =
            bytes.withContiguousStorageIfAvailable { Self.adler(running, $0) }
            ?? Array(bytes).withUnsafeBufferPointer { Self.adler(running, $0) }
        value = UInt32(truncatingIfNeeded: updated)
    }

    /// The checksum of `bytes`.
    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var adler = Adler32()
        adler.update(bytes)
        return adler.value
    }

    /// zlib's running checksum over `bytes`, in pieces that fit its 32-bit length.
    private static func adler(_ running: UInt, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt {
        var running = running
        var rest = bytes[...]
        while !rest.isEmpty {
            let piece = rest.prefix(Int(UInt32.max))
            running = adler32(running, UnsafeBufferPointer(rebasing: piece).baseAddress, uInt(piece.count))
            rest = rest.dropFirst(piece.count)
        }
        return running
    }
}
