import NIOCore

// Jute primitives: big-endian int and long, one-byte bool, length-prefixed buffers, strings and
// vectors where a length of -1 means null.
extension ByteBuffer {
    /// Reads a Jute `int` (4 bytes, big-endian).
    @inlinable
    public mutating func readJuteInt() throws(JuteError) -> Int32 {
        guard let value = readInteger(endianness: .big, as: Int32.self) else {
            throw JuteError(.truncated, "int needs 4 bytes, \(readableBytes) left")
        }
        return value
    }

    /// Reads a Jute `long` (8 bytes, big-endian).
    @inlinable
    public mutating func readJuteLong() throws(JuteError) -> Int64 {
        guard let value = readInteger(endianness: .big, as: Int64.self) else {
            throw JuteError(.truncated, "long needs 8 bytes, \(readableBytes) left")
        }
        return value
    }

    /// Reads a Jute `boolean` (one byte; any non-zero value is true).
    @inlinable
    public mutating func readJuteBool() throws(JuteError) -> Bool {
        guard let value = readInteger(as: UInt8.self) else {
            throw JuteError(.truncated, "boolean needs 1 byte")
        }
        return value != 0
    }

    /// Reads a length prefix: nil for -1 (null), `.invalidLength` for other negative values. A
    /// length larger than what is left fails as `.truncated` when read, before any allocation.
    @inlinable
    mutating func readJuteLength(_ what: String) throws(JuteError) -> Int? {
        let length = try readJuteInt()
        if length == -1 { return nil }
        guard length >= 0 else { throw JuteError(.invalidLength, "\(what) length \(length)") }
        return Int(length)
    }

    /// Reads a Jute `buffer`: nil when the length is -1.
    @inlinable
    public mutating func readJuteBuffer() throws(JuteError) -> [UInt8]? {
        guard let length = try readJuteLength("buffer") else { return nil }
        guard let bytes = readBytes(length: length) else {
            throw JuteError(.truncated, "buffer of \(length) bytes, \(readableBytes) left")
        }
        return bytes
    }

    /// Passes over a Jute `buffer` without copying it: where its bytes lie (indices of this
    /// buffer), nil when the length is -1.
    @inlinable
    public mutating func skipJuteBuffer() throws(JuteError) -> Range<Int>? {
        guard let length = try readJuteLength("buffer") else { return nil }
        guard length <= readableBytes else {
            throw JuteError(.truncated, "buffer of \(length) bytes, \(readableBytes) left")
        }
        defer { moveReaderIndex(forwardBy: length) }
        return readerIndex..<readerIndex + length
    }

    /// Reads a Jute `ustring`: nil when the length is -1. Invalid UTF-8 is repaired, as the Java
    /// implementation does.
    @inlinable
    public mutating func readJuteString() throws(JuteError) -> String? {
        guard let length = try readJuteLength("string") else { return nil }
        guard let string = readString(length: length) else {
            throw JuteError(.truncated, "string of \(length) bytes, \(readableBytes) left")
        }
        return string
    }

    /// Reads a Jute `ustring`, treating null as the empty string (clients such as kazoo send "" as -1).
    @inlinable
    public mutating func readJuteNonNullString() throws(JuteError) -> String {
        try readJuteString() ?? ""
    }

    /// Reads a Jute `vector`: nil when the count is -1. Each element needs at least
    /// `minimumElementSize` bytes, which bounds the count by the input before any allocation.
    @inlinable
    public mutating func readJuteVector<Element>(
        minimumElementSize: Int = 1,
        _ readElement: (inout ByteBuffer) throws(JuteError) -> Element
    ) throws(JuteError) -> [Element]? {
        guard let count = try readJuteLength("vector") else { return nil }
        guard count <= readableBytes / max(minimumElementSize, 1) else {
            throw JuteError(.invalidLength, "vector of \(count) elements, \(readableBytes) bytes left")
        }
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count {
            elements.append(try readElement(&self))
        }
        return elements
    }

    /// Reads a vector of strings, treating a null vector as empty and null strings as "".
    @inlinable
    public mutating func readJuteStringVector() throws(JuteError) -> [String] {
        try readJuteVector(minimumElementSize: 4) { (buffer: inout ByteBuffer) throws(JuteError) in
            try buffer.readJuteNonNullString()
        } ?? []
    }

    /// Writes a Jute `int`.
    @inlinable
    public mutating func writeJuteInt(_ value: Int32) {
        writeInteger(value, endianness: .big)
    }

    /// Writes a Jute `long`.
    @inlinable
    public mutating func writeJuteLong(_ value: Int64) {
        writeInteger(value, endianness: .big)
    }

    /// Writes a Jute `boolean` as 0 or 1.
    @inlinable
    public mutating func writeJuteBool(_ value: Bool) {
        writeInteger(value ? 1 : 0, as: UInt8.self)
    }

    /// Writes a Jute `buffer`; nil is written as length -1.
    @inlinable
    public mutating func writeJuteBuffer(_ bytes: [UInt8]?) {
        guard let bytes else { return writeJuteInt(-1) }
        writeJuteInt(Int32(truncatingIfNeeded: bytes.count))
        writeBytes(bytes)
    }

    /// Writes a Jute `ustring`; nil is written as length -1.
    @inlinable
    public mutating func writeJuteString(_ string: String?) {
        guard let string else { return writeJuteInt(-1) }
        let lengthIndex = writerIndex
        writeJuteInt(0)
        let written = writeString(string)
        setInteger(Int32(truncatingIfNeeded: written), at: lengthIndex, endianness: .big)
    }

    /// Writes a Jute `vector`; nil is written as count -1.
    @inlinable
    public mutating func writeJuteVector<Element>(
        _ elements: [Element]?,
        _ writeElement: (inout ByteBuffer, Element) -> Void
    ) {
        guard let elements else { return writeJuteInt(-1) }
        writeJuteInt(Int32(truncatingIfNeeded: elements.count))
        for element in elements {
            writeElement(&self, element)
        }
    }

    /// Writes a vector of strings.
    @inlinable
    public mutating func writeJuteStringVector(_ strings: [String]) {
        writeJuteVector(strings) { $0.writeJuteString($1) }
    }

    /// Writes a record.
    @inlinable
    public mutating func writeJuteRecord(_ record: some JuteEncodable) {
        record.encode(into: &self)
    }

    /// Reads a record.
    @inlinable
    public mutating func readJuteRecord<Record: JuteDecodable>(
        _ type: Record.Type = Record.self
    ) throws(JuteError) -> Record {
        try Record(from: &self)
    }
}
