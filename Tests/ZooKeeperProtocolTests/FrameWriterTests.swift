import NIOCore
import Testing
import ZooKeeperProtocol

@Suite(.timeLimit(.minutes(3))) struct FrameWriterTests {
    @Test func juteFrameLengthCoversTheBody() {
        var buffer = ByteBuffer()
        buffer.writeJuteFrame { $0.writeBytes([1, 2, 3]) }
        buffer.writeJuteFrame { _ in }
        buffer.writeJuteFrame { $0.writeJuteString("ab") }
        #expect(bytes(of: buffer) == hex("00 00 00 03 01 02 03  00 00 00 00  00 00 00 06 00 00 00 02 61 62"))
    }

    @Test func juteFrameAfterConsumedBytes() {
        // The length is measured from where the frame starts, not from the buffer's start.
        var buffer = ByteBuffer(bytes: [9, 9, 9])
        buffer.moveReaderIndex(forwardBy: 2)
        buffer.writeJuteFrame { $0.writeJuteInt(5) }
        #expect(bytes(of: buffer) == hex("09 00 00 00 04 00 00 00 05"))
    }

    @Test func requestFrameMatchesKazoo() {
        // kazoo's ConnectionHandler._submit(GetData("/app/node", True), xid=7):
        // int length + int xid + int type + serialize()
        var buffer = ByteBuffer()
        buffer.writeRequestFrame(xid: 7, GetDataRequest(path: "/app/node", watch: true))
        #expect(
            bytes(of: buffer)
                == hex("00 00 00 16 00 00 00 07 00 00 00 04 00 00 00 09 2f 61 70 70 2f 6e 6f 64 65 01"))
    }

    @Test func pingAndCloseFramesMatchKazoo() {
        // kazoo: _submit(PingInstance, xid=-2) and _submit(CloseInstance, xid=42)
        var buffer = ByteBuffer()
        buffer.writeRequestFrame(xid: SpecialXid.ping, PingRequest())
        buffer.writeRequestFrame(xid: 42, CloseSessionRequest())
        #expect(bytes(of: buffer) == hex("00 00 00 08 ff ff ff fe 00 00 00 0b  00 00 00 08 00 00 00 2a ff ff ff f5"))
    }

    @Test func authFrame() {
        // Java jute: RequestHeader(-4, 100) + AuthPacket(0, "digest", "bob:secret"); 8 + 28 = 36 bytes.
        var buffer = ByteBuffer()
        buffer.writeRequestFrame(xid: SpecialXid.auth, AuthPacket(scheme: "digest", auth: Array("bob:secret".utf8)))
        #expect(
            bytes(of: buffer)
                == hex(
                    "00 00 00 24 ff ff ff fc 00 00 00 64"
                        + " 00 00 00 00 00 00 00 06 64 69 67 65 73 74 00 00 00 0a 62 6f 62 3a 73 65 63 72 65 74"))
    }

    @Test func replyFrameWithBody() {
        // Java jute: ReplyHeader(7, 0x100000005L, 0) + GetDataResponse("hello", statA); 16 + 77 = 93 bytes.
        var buffer = ByteBuffer()
        buffer.writeReplyFrame(
            ReplyHeader(xid: 7, zxid: 0x1_0000_0005),
            body: GetDataResponse(data: Array("hello".utf8), stat: Fixtures.statA))
        #expect(
            bytes(of: buffer)
                == hex(
                    "00 00 00 5d  00 00 00 07 00 00 00 01 00 00 00 05 00 00 00 00  00 00 00 05 68 65 6c 6c 6f "
                        + Fixtures.statAHex))
    }

    @Test func errorReplyFrameHasNoBody() {
        // Java jute: ReplyHeader(8, 0x100000005L, -101) alone; the body passed in is dropped.
        var buffer = ByteBuffer()
        buffer.writeReplyFrame(
            ReplyHeader(xid: 8, zxid: 0x1_0000_0005, error: .noNode),
            body: GetDataResponse(data: [1], stat: Fixtures.statA))
        #expect(bytes(of: buffer) == hex("00 00 00 10  00 00 00 08 00 00 00 01 00 00 00 05 ff ff ff 9b"))
    }

    @Test func headerOnlyReplyFrames() {
        var buffer = ByteBuffer()
        buffer.writeReplyFrame(ReplyHeader(xid: SpecialXid.ping, zxid: 0x1_0000_0005), body: nil as EmptyResponse?)
        buffer.writeReplyFrame(ReplyHeader(xid: 3, zxid: 9), body: EmptyResponse())
        #expect(
            bytes(of: buffer)
                == hex(
                    "00 00 00 10  ff ff ff fe 00 00 00 01 00 00 00 05 00 00 00 00"
                        + " 00 00 00 10  00 00 00 03 00 00 00 00 00 00 00 09 00 00 00 00"))
    }

    @Test func notificationFrame() {
        // Java jute: ReplyHeader(-1, -1L, 0) + WatcherEvent(3, 3, "/app/config"); 16 + 23 = 39 bytes.
        var buffer = ByteBuffer()
        buffer.writeReplyFrame(
            ReplyHeader(xid: SpecialXid.notification, zxid: -1),
            body: WatcherEvent(type: .nodeDataChanged, path: "/app/config"))
        #expect(
            bytes(of: buffer)
                == hex(
                    "00 00 00 27  ff ff ff ff ff ff ff ff ff ff ff ff 00 00 00 00"
                        + " 00 00 00 03 00 00 00 03 00 00 00 0b 2f 61 70 70 2f 63 6f 6e 66 69 67"))
    }

    @Test func writtenFramesDecode() throws {
        var stream = ByteBuffer()
        stream.writeRequestFrame(xid: 1, SetDataRequest(path: "/a", data: [1, 2], version: 4))
        stream.writeRequestFrame(xid: 2, MultiRequest(operations: [.delete(DeleteRequest(path: "/a"))]))
        var decoder = JuteFrameDecoder()
        var first = try #require(try decoder.decode(buffer: &stream))
        #expect(try first.readJuteRecord(RequestHeader.self) == RequestHeader(xid: 1, opCode: .setData))
        #expect(try SetDataRequest(decodingAll: first) == SetDataRequest(path: "/a", data: [1, 2], version: 4))
        var second = try #require(try decoder.decode(buffer: &stream))
        #expect(try second.readJuteRecord(RequestHeader.self) == RequestHeader(xid: 2, opCode: .multi))
        #expect(try MultiRequest(decodingAll: second).operations == [.delete(DeleteRequest(path: "/a"))])
        #expect(try decoder.decode(buffer: &stream) == nil)
    }
}
