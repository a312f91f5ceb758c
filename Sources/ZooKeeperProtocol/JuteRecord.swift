import NIOCore

/// A value that writes itself in Jute encoding.
public protocol JuteEncodable: Sendable {
    /// Appends the Jute encoding of `self` to `buffer`.
    func encode(into buffer: inout ByteBuffer)
}

/// A value that reads itself from Jute encoding.
public protocol JuteDecodable: Sendable {
    /// Reads a value from the front of `buffer`, throwing on truncated or malformed input.
    init(from buffer: inout ByteBuffer) throws(JuteError)
}

/// A Jute record: the unit of ZooKeeper's wire format, encoded as its fields in order.
public typealias JuteRecord = JuteEncodable & JuteDecodable

/// The body of a reply that carries no data (delete, setWatches, ping, ...).
public struct EmptyResponse: JuteRecord, Hashable {
    public init() {}
    public init(from buffer: inout ByteBuffer) {}
    public func encode(into buffer: inout ByteBuffer) {}
}

extension JuteEncodable {
    /// The Jute encoding of `self` as a new buffer.
    public func juteEncoded(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 64)
        encode(into: &buffer)
        return buffer
    }
}

extension JuteDecodable {
    /// Decodes a record that must fill `buffer` exactly.
    public init(decodingAll buffer: ByteBuffer) throws(JuteError) {
        var buffer = buffer
        try self.init(from: &buffer)
        guard buffer.readableBytes == 0 else {
            throw JuteError(.trailingBytes, "\(buffer.readableBytes) bytes after \(Self.self)")
        }
    }
}
