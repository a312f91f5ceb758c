import CAdler32
import CZlib
import Testing

@testable import ZooKeeperServer

/// The vector Adler-32 against zlib's, which Apache ZooKeeper's files agree with.
@Suite struct Adler32Tests {
    @Test func aKnownTextHasItsKnownChecksum() {
        #expect(Adler32.checksum(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(Adler32.checksum([UInt8]()) == 1)
    }

    /// Lengths around the 32-byte blocks and the runs between reductions, at every alignment,
    /// from several running values, of bytes that make the sums as large as they get (all 255)
    /// and of varied bytes: the vector path, the byte-at-a-time path and zlib must agree.
    @Test func everyLengthAndAlignmentAgreesWithZlib() {
        var generator = SystemRandomNumberGenerator()
        let varied = (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let full = [UInt8](repeating: 255, count: 70_000)
        let lengths = Array(0...200) + [5551, 5552, 5553, 5536, 5568, 11_104, 11_105, 65_536, 69_000]
        for bytes in [varied, full] {
            bytes.withUnsafeBufferPointer { all in
                for start: UInt32 in [1, 0xFFF0_FFF0, 0x1234_5678] {
                    for offset in 0..<33 {
                        for length in lengths {
                            let piece = all.baseAddress! + offset
                            let expected = UInt32(adler32(UInt(start), piece, uInt(length)))
                            let vector = cadler32(start, piece, length)
                            let scalar = cadler32_scalar(start, piece, length)
                            guard vector == expected, scalar == expected else {
                                Issue.record(
                                    "length \(length) at offset \(offset) from \(start): zlib \(expected), vector \(vector), byte at a time \(scalar)"
                                )
                                return
                            }
                        }
                    }
                }
            }
        }
    }

    /// A checksum taken a piece at a time, as a snapshot is written, equals the whole one.
    @Test func piecesAddUpToTheWhole() {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 7) }
        var adler = Adler32()
        var rest = bytes[...]
        for size in [1, 31, 32, 33, 5000, 40_000] {
            adler.update(rest.prefix(size))
            rest = rest.dropFirst(size)
        }
        adler.update(rest)
        #expect(adler.value == UInt32(bytes.withUnsafeBufferPointer { adler32(1, $0.baseAddress, uInt($0.count)) }))
    }
}
