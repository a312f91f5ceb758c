import CAdler32

/// Adler-32 (RFC 1950), the checksum Apache ZooKeeper puts on every log record and snapshot
/// (`java.util.zip.Adler32`), computed 32 bytes at a time where the processor has AVX2
/// (`CAdler32`): zlib's byte-at-a-time loop was a sixth of the CPU of writing a snapshot.
struct Adler32: Sendable {
    /// The checksum of everything added so far.
    private(set) var value: UInt32 = 1

    init() {}

    /// Adds bytes to the checksum.
    mutating func update(_ bytes: some Sequence<UInt8>) {
        let running = value
        value =
            bytes.withContiguousStorageIfAvailable { cadler32(running, $0.baseAddress, $0.count) }
            ?? Array(bytes).withUnsafeBufferPointer { cadler32(running, $0.baseAddress, $0.count) }
    }

    /// The checksum of `bytes`.
    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var adler = Adler32()
        adler.update(bytes)
        return adler.value
    }
}
