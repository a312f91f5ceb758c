import ZooKeeperProtocol

/// Reads Jute values front to back from bytes in memory: a snapshot, mapped from its file or
/// uncompressed. A `ByteBuffer` cannot lend memory it did not allocate, and its checks on each
/// read (exclusivity, bounds, index types) were half of a snapshot's parse at a million nodes.
/// Reads fail as `ByteBuffer`'s Jute reads do, with the same ``JuteError`` kinds.
struct JuteReader {
    let bytes: UnsafeRawBufferPointer
    /// Where the next value starts.
    private(set) var offset = 0

    /// A reader of `bytes` from `offset` on (which is at most their count).
    init(_ bytes: UnsafeRawBufferPointer, from offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    /// The bytes not read yet.
    var remaining: Int { bytes.count - offset }

    private mutating func readBigEndian<Integer: FixedWidthInteger>(_: Integer.Type, _ what: String) throws(JuteError)
        -> Integer
    {
        let size = MemoryLayout<Integer>.size
        guard remaining >= size else { throw JuteError(.truncated, "\(what) needs \(size) bytes, \(remaining) left") }
        defer { offset += size }
        return Integer(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Integer.self))
    }

    mutating func readInt() throws(JuteError) -> Int32 { try readBigEndian(Int32.self, "int") }

    mutating func readLong() throws(JuteError) -> Int64 { try readBigEndian(Int64.self, "long") }

    /// A length prefix: nil for -1 (null); other negative lengths are invalid, and so is one past
    /// the end.
    private mutating func readLength(_ what: String, elementSize: Int = 1) throws(JuteError) -> Int? {
        let length = try readInt()
        if length == -1 { return nil }
        guard length >= 0 else { throw JuteError(.invalidLength, "\(what) length \(length)") }
        guard Int(length) <= remaining / elementSize else {
            let kind: JuteError.Kind = elementSize == 1 ? .truncated : .invalidLength
            throw JuteError(kind, "\(what) of \(length), \(remaining) bytes left")
        }
        return Int(length)
    }

    /// Passes over a Jute `buffer`: where its bytes lie (offsets of ``bytes``), nil for null.
    mutating func skipBuffer() throws(JuteError) -> Range<Int>? {
        guard let length = try readLength("buffer") else { return nil }
        defer { offset += length }
        return offset..<offset + length
    }

    /// A Jute `ustring`, null read as ""; invalid UTF-8 is repaired, as Java does.
    mutating func readString() throws(JuteError) -> String {
        guard let range = try readLength("string").map({ offset..<offset + $0 }) else { return "" }
        offset = range.upperBound
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// A vector of ACL entries, null read as empty.
    mutating func readACLs() throws(JuteError) -> [ACL] {
        guard let count = try readLength("vector", elementSize: 12) else { return [] }
        var acls: [ACL] = []
        acls.reserveCapacity(count)
        for _ in 0..<count {
            let permissions = Permissions(rawValue: try readInt())
            acls.append(ACL(permissions: permissions, id: Id(scheme: try readString(), id: try readString())))
        }
        return acls
    }
}
