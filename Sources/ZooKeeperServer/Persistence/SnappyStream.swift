import NIOCore

/// snappy-java's stream format (`SnappyOutputStream`), which Apache ZooKeeper's `.snappy`
/// snapshots use: an 8-byte magic, a version and a compatible version (ints), then blocks of a
/// length (int) and raw snappy data. A stream may hold several such streams one after another.
enum SnappyStream {
    static let magic: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00]
    /// snappy-java compresses 32 KiB at a time.
    static let blockSize = 32 * 1024

    static func decompress(_ input: ByteBuffer, file: String) throws(DataFileError) -> ByteBuffer {
        var input = input
        var output = ByteBuffer()
        guard input.readBytes(length: magic.count) == magic, input.readInteger(as: Int32.self) != nil,
            input.readInteger(as: Int32.self) != nil
        else { throw DataFileError(file, "not a snappy stream (no snappy-java header)") }
        while input.readableBytes > 0 {
            if input.readableBytesView.starts(with: magic) {
                input.moveReaderIndex(forwardBy: magic.count + 8)
                continue
            }
            guard let length = input.readInteger(as: Int32.self), length >= 0,
                let block = input.readSlice(length: Int(length))
            else { throw DataFileError(file, "truncated snappy data") }
            guard Snappy.decompress(block, into: &output) else { throw DataFileError(file, "corrupt snappy data") }
        }
        return output
    }

    static func compress(_ input: ByteBuffer) -> ByteBuffer {
        var output = ByteBuffer(bytes: magic)
        output.writeInteger(Int32(1))
        output.writeInteger(Int32(1))
        var input = input
        while input.readableBytes > 0 {
            let block = input.readSlice(length: min(blockSize, input.readableBytes))!
            let lengthIndex = output.writerIndex
            output.writeInteger(Int32(0))
            let written = Snappy.compress(block, into: &output)
            output.setInteger(Int32(written), at: lengthIndex)
        }
        return output
    }
}

/// Raw snappy blocks (the format of google/snappy's `format_description.txt`).
enum Snappy {
    /// Appends the uncompressed bytes of a block; false when the block is malformed.
    static func decompress(_ block: ByteBuffer, into output: inout ByteBuffer) -> Bool {
        let bytes = Array(block.readableBytesView)
        var index = 0
        // The uncompressed length, a little-endian varint.
        var expected = 0
        var shift = 0
        while true {
            guard index < bytes.count, shift <= 28 else { return false }
            let byte = bytes[index]
            index += 1
            expected |= Int(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        // A copy of at most 64 bytes takes at least 3: no block expands more than 22 times.
        guard expected <= bytes.count * 22 else { return false }
        var result: [UInt8] = []
        result.reserveCapacity(expected)
        func little(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for k in 0..<count { value |= Int(bytes[index + k]) << (8 * k) }
            index += count
            return value
        }
        while index < bytes.count {
            let tag = bytes[index]
            index += 1
            switch tag & 3 {
            case 0:
                var length = Int(tag >> 2)
                if length >= 60 {
                    guard let extended = little(length - 59) else { return false }
                    length = extended
                }
                length += 1
                guard index + length <= bytes.count, result.count + length <= expected else { return false }
                result.append(contentsOf: bytes[index..<index + length])
                index += length
            default:
                let length: Int
                let offset: Int
                switch tag & 3 {
                case 1:
                    guard index < bytes.count else { return false }
                    length = 4 + Int((tag >> 2) & 7)
                    offset = Int(tag >> 5) << 8 | Int(bytes[index])
                    index += 1
                case 2:
                    guard let value = little(2) else { return false }
                    length = 1 + Int(tag >> 2)
                    offset = value
                default:
                    guard let value = little(4) else { return false }
                    length = 1 + Int(tag >> 2)
                    offset = value
                }
                guard offset > 0, offset <= result.count, result.count + length <= expected else { return false }
                let start = result.count - offset
                for k in 0..<length { result.append(result[start + k]) }
            }
        }
        guard result.count == expected else { return false }
        output.writeBytes(result)
        return true
    }

    /// Appends a compressed block (greedy matching of 4-byte sequences within 64 KiB) and
    /// returns its length.
    static func compress(_ block: ByteBuffer, into output: inout ByteBuffer) -> Int {
        let bytes = Array(block.readableBytesView)
        let start = output.writerIndex
        var length = bytes.count
        while length >= 0x80 {
            output.writeInteger(UInt8(length & 0x7F | 0x80))
            length >>= 7
        }
        output.writeInteger(UInt8(length))
        func load(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        func literal(_ range: Range<Int>) {
            guard !range.isEmpty else { return }
            let n = range.count - 1
            if n < 60 {
                output.writeInteger(UInt8(n << 2))
            } else {
                let width = n < 1 << 8 ? 1 : n < 1 << 16 ? 2 : n < 1 << 24 ? 3 : 4
                output.writeInteger(UInt8((59 + width) << 2))
                for k in 0..<width { output.writeInteger(UInt8((n >> (8 * k)) & 0xFF)) }
            }
            output.writeBytes(bytes[range])
        }
        var table = [Int](repeating: -1, count: 1 << 14)
        var index = 0
        var pending = 0
        while index + 4 <= bytes.count {
            let word = load(index)
            let slot = Int((word &* 0x1E35_A7BD) >> 18)
            let candidate = table[slot]
            table[slot] = index
            guard candidate >= 0, index - candidate <= 0xFFFF, load(candidate) == word else {
                index += 1
                continue
            }
            literal(pending..<index)
            var matched = 4
            while index + matched < bytes.count, bytes[candidate + matched] == bytes[index + matched] { matched += 1 }
            let offset = index - candidate
            var remaining = matched
            while remaining > 0 {
                let piece = min(remaining, 64)
                output.writeInteger(UInt8((piece - 1) << 2 | 2))
                output.writeInteger(UInt8(offset & 0xFF))
                output.writeInteger(UInt8(offset >> 8))
                remaining -= piece
            }
            index += matched
            pending = index
        }
        literal(pending..<bytes.count)
        return output.writerIndex - start
    }
}
