import NIOCore

/// The default frame size limit, ZooKeeper's `jute.maxbuffer` (0xfffff bytes).
public let defaultMaxFrameLength = 0xfffff

/// Splits a byte stream into frames: a 4-byte big-endian length, then that many bytes.
///
/// A negative length or one above `maxFrameLength` throws before anything is allocated, so a
/// peer cannot make the decoder buffer more than one limit's worth of input.
public struct JuteFrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    /// The largest frame body accepted.
    public let maxFrameLength: Int

    public init(maxFrameLength: Int = defaultMaxFrameLength) {
        self.maxFrameLength = maxFrameLength
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: Int32.self) else {
            return nil
        }
        let bodyLength = try bodyLength(announcedBy: length)
        guard buffer.readableBytes >= 4 + bodyLength else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: bodyLength)
    }

    /// The body length a frame's 4-byte prefix announces, once checked against the limit: the
    /// one rule for every reader of frames, this decoder and blocking ones alike.
    package func bodyLength(announcedBy length: Int32) throws(JuteError) -> Int {
        guard length >= 0, Int(length) <= maxFrameLength else {
            throw JuteError(.frameTooLarge, "frame length \(length), limit \(maxFrameLength)")
        }
        return Int(length)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        try decode(buffer: &buffer)
    }
}

extension ByteBuffer {
    /// Writes one frame: a length placeholder, whatever `body` writes, then the length filled in.
    @inlinable
    public mutating func writeJuteFrame(_ body: (inout ByteBuffer) -> Void) {
        let lengthIndex = writerIndex
        writeInteger(Int32(0))
        body(&self)
        setInteger(Int32(truncatingIfNeeded: writerIndex - lengthIndex - 4), at: lengthIndex, endianness: .big)
    }

    /// Writes a request frame: its length, a request header and the request record.
    @inlinable
    public mutating func writeRequestFrame<Request: ZooKeeperRequest>(xid: Int32, _ request: Request) {
        writeJuteFrame { buffer in
            RequestHeader(xid: xid, opCode: Request.opCode).encode(into: &buffer)
            request.encode(into: &buffer)
        }
    }

    /// Writes a reply frame: its length, a reply header and, when the header says ok, the body.
    @inlinable
    public mutating func writeReplyFrame(_ header: ReplyHeader, body: (any JuteEncodable)?) {
        writeJuteFrame { buffer in
            header.encode(into: &buffer)
            if header.error == .ok, let body { body.encode(into: &buffer) }
        }
    }
}
