import NIOCore

/// The fields of a record of fixed size (a stat, a header), stored or loaded big-endian in place
/// one after another: the buffer is checked and reserved once for the whole record instead of once
/// a field (each check is a run-time exclusivity check on the buffer's storage, which for a stat's
/// eleven fields was a tenth of the server's CPU per request).
public struct JuteFixedFields {
    @usableFromInline let bytes: UnsafeMutableRawBufferPointer
    @usableFromInline var offset = 0

    @inlinable init(_ bytes: UnsafeMutableRawBufferPointer) {
        self.bytes = bytes
    }

    @inlinable public mutating func store(_ value: some FixedWidthInteger) {
        bytes.storeBytes(of: value.bigEndian, toByteOffset: offset, as: type(of: value))
        offset += MemoryLayout.size(ofValue: value)
    }

    @inlinable public mutating func load<Integer: FixedWidthInteger>(_: Integer.Type = Integer.self) -> Integer {
        defer { offset += MemoryLayout<Integer>.size }
        return Integer(bigEndian: UnsafeRawBufferPointer(bytes).loadUnaligned(fromByteOffset: offset, as: Integer.self))
    }
}

extension ByteBuffer {
    /// Writes a record of `size` bytes whose fields `body` stores in order (all `size` of them).
    @inlinable
    public mutating func writeJuteFixed(size: Int, _ body: (inout JuteFixedFields) -> Void) {
        writeWithUnsafeMutableBytes(minimumWritableBytes: size) { bytes in
            var fields = JuteFixedFields(UnsafeMutableRawBufferPointer(rebasing: bytes[..<size]))
            body(&fields)
            return size
        }
    }

    /// Reads a record of `size` bytes whose fields `body` loads in order; `what` names it when
    /// fewer bytes are left.
    @inlinable
    public mutating func readJuteFixed<Record>(
        _ what: String, size: Int, _ body: (inout JuteFixedFields) -> Record
    ) throws(JuteError) -> Record {
        guard readableBytes >= size else {
            throw JuteError(.truncated, "\(what) needs \(size) bytes, \(readableBytes) left")
        }
        return readWithUnsafeReadableBytes { bytes in
            var fields = JuteFixedFields(
                UnsafeMutableRawBufferPointer(mutating: UnsafeRawBufferPointer(rebasing: bytes[..<size])))
            return (size, body(&fields))
        }
    }
}
