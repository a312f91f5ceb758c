import NIOCore
import Testing
import ZooKeeperProtocol

// Jute primitives (ByteBuffer+Jute.swift), against the encoding rules of Java's BinaryOutputArchive.
@Suite(.timeLimit(.minutes(3))) struct PrimitiveTests {
    @Test func integersAreBigEndianAndSigned() throws {
        var buffer = ByteBuffer()
        buffer.writeJuteInt(0x0102_0304)
        buffer.writeJuteInt(-2)
        buffer.writeJuteLong(0x0102_0304_0506_0708)
        buffer.writeJuteLong(Int64.min)
        #expect(
            bytes(of: buffer)
                == hex("01 02 03 04 ff ff ff fe 01 02 03 04 05 06 07 08 80 00 00 00 00 00 00 00"))
        #expect(try buffer.readJuteInt() == 0x0102_0304)
        #expect(try buffer.readJuteInt() == -2)
        #expect(try buffer.readJuteLong() == 0x0102_0304_0506_0708)
        #expect(try buffer.readJuteLong() == Int64.min)
    }

    @Test func booleansAreOneByteAndAnyNonZeroIsTrue() throws {
        var buffer = ByteBuffer()
        buffer.writeJuteBool(true)
        buffer.writeJuteBool(false)
        #expect(bytes(of: buffer) == [1, 0])
        var input = ByteBuffer(bytes: [0, 1, 2, 0xff])
        #expect(try input.readJuteBool() == false)
        #expect(try input.readJuteBool() == true)
        #expect(try input.readJuteBool() == true)
        #expect(try input.readJuteBool() == true)
        #expect(juteErrorKind { _ = try input.readJuteBool() } == .truncated)
    }

    @Test func stringLengthCountsUTF8Bytes() throws {
        var buffer = ByteBuffer()
        buffer.writeJuteString("/é")  // U+00E9 is two bytes in UTF-8
        buffer.writeJuteString("😀")  // four bytes
        #expect(bytes(of: buffer) == hex("00 00 00 03 2f c3 a9  00 00 00 04 f0 9f 98 80"))
        #expect(try buffer.readJuteString() == "/é")
        #expect(try buffer.readJuteString() == "😀")
    }

    @Test func nullAndEmptyAreDistinctOnTheWire() throws {
        var buffer = ByteBuffer()
        buffer.writeJuteString(nil)
        buffer.writeJuteString("")
        buffer.writeJuteBuffer(nil)
        buffer.writeJuteBuffer([])
        buffer.writeJuteVector(nil as [Int32]?) { $0.writeJuteInt($1) }
        buffer.writeJuteVector([Int32]()) { $0.writeJuteInt($1) }
        #expect(bytes(of: buffer) == hex("ff ff ff ff 00 00 00 00 ff ff ff ff 00 00 00 00 ff ff ff ff 00 00 00 00"))
        #expect(try buffer.readJuteString() == nil)
        #expect(try buffer.readJuteString() == "")
        #expect(try buffer.readJuteBuffer() == nil)
        #expect(try buffer.readJuteBuffer() == [])
        #expect(try buffer.readJuteVector { (b: inout ByteBuffer) throws(JuteError) in try b.readJuteInt() } == nil)
        #expect(try buffer.readJuteVector { (b: inout ByteBuffer) throws(JuteError) in try b.readJuteInt() } == [])
    }

    /// A buffer passed over is where it lies, in the buffer's own indices; a length beyond the
    /// bytes left or a negative one other than -1 fails as a read would.
    @Test func aSkippedBufferTellsWhereItsBytesLie() throws {
        // One byte already read: the indices are the buffer's, not counted from the reader.
        var read = buffer(hex("99 00 00 00 03 61 62 63 ff ff ff ff 00 00 00 00 00 00 00 05 61"))
        read.moveReaderIndex(forwardBy: 1)
        let (unread, start) = (read, read.readerIndex)
        #expect(try read.skipJuteBuffer() == start + 4..<start + 7)
        #expect(unread.getBytes(at: start + 4, length: 3) == [0x61, 0x62, 0x63])
        #expect(try read.skipJuteBuffer() == nil)
        #expect(try read.skipJuteBuffer() == start + 15..<start + 15)
        #expect(throws: JuteError.self) { try read.skipJuteBuffer() }
        var negative = buffer(hex("ff ff ff fe 61"))
        #expect(throws: JuteError.self) { try negative.skipJuteBuffer() }
    }

    @Test func nonNullStringReadTreatsNullAsEmpty() throws {
        var buffer = buffer(hex("ff ff ff ff 00 00 00 01 61"))
        #expect(try buffer.readJuteNonNullString() == "")
        #expect(try buffer.readJuteNonNullString() == "a")
    }

    @Test func invalidUTF8IsRepaired() throws {
        var buffer = buffer(hex("00 00 00 03 61 ff 62"))
        #expect(try buffer.readJuteString() == "a\u{FFFD}b")
    }

    @Test func stringVectorRoundTrip() throws {
        var buffer = ByteBuffer()
        buffer.writeJuteStringVector(["", "a", "é"])
        #expect(bytes(of: buffer) == hex("00 00 00 03 00 00 00 00 00 00 00 01 61 00 00 00 02 c3 a9"))
        #expect(try buffer.readJuteStringVector() == ["", "a", "é"])
    }

    @Test func vectorOfIntsGolden() throws {
        var buffer = ByteBuffer()
        buffer.writeJuteVector([Int32(1), -1]) { $0.writeJuteInt($1) }
        #expect(bytes(of: buffer) == hex("00 00 00 02 00 00 00 01 ff ff ff ff"))
        let values = try buffer.readJuteVector(minimumElementSize: 4) { (b: inout ByteBuffer) throws(JuteError) in
            try b.readJuteInt()
        }
        #expect(values == [1, -1])
    }

    @Test func zeroMinimumElementSizeIsSafe() throws {
        // A zero-sized element bound must not divide by zero; the count is bounded by the bytes left.
        var buffer = buffer(hex("7f ff ff ff 01 02"))
        #expect(
            juteErrorKind {
                _ = try buffer.readJuteVector(minimumElementSize: 0) { (b: inout ByteBuffer) throws(JuteError) in
                    try b.readJuteBool()
                }
            } == .invalidLength)
    }

    @Test func recordHelpers() throws {
        var buffer = ByteBuffer()
        buffer.writeJuteRecord(DeleteRequest(path: "/a", version: 1))
        #expect(try buffer.readJuteRecord(DeleteRequest.self) == DeleteRequest(path: "/a", version: 1))
        #expect(buffer.readableBytes == 0)
    }

    @Test func encodingAppendsAfterExistingBytes() throws {
        var buffer = ByteBuffer(bytes: [0xaa])
        buffer.writeJuteString("ab")
        #expect(bytes(of: buffer) == hex("aa 00 00 00 02 61 62"))
    }

    @Test func decodingStartsAtTheReaderIndex() throws {
        var buffer = buffer(hex("aa bb 00 00 00 01 61"))
        buffer.moveReaderIndex(forwardBy: 2)
        #expect(try PathResponse(decodingAll: buffer) == PathResponse(path: "a"))
    }
}
