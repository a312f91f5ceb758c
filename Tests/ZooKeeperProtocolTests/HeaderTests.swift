import NIOCore
import Testing
import ZooKeeperProtocol

// Vectors: Java jute (RequestHeader, ReplyHeader, WatcherEvent, ErrorResponse, MultiHeader).
@Suite(.timeLimit(.minutes(3))) struct HeaderTests {
    @Test(arguments: [
        (RequestHeader(xid: 7, opCode: .getData), "00 00 00 07 00 00 00 04"),
        (RequestHeader(xid: SpecialXid.ping, opCode: .ping), "ff ff ff fe 00 00 00 0b"),
        (RequestHeader(xid: 42, opCode: .closeSession), "00 00 00 2a ff ff ff f5"),
        (RequestHeader(xid: 9, opCode: .whoAmI), "00 00 00 09 00 00 00 6b"),
    ])
    func requestHeader(header: RequestHeader, expected: String) {
        expectGolden(header, expected)
    }

    @Test(arguments: [
        (ReplyHeader(xid: 7, zxid: 0x1_0000_0005), "00 00 00 07 00 00 00 01 00 00 00 05 00 00 00 00"),
        (ReplyHeader(xid: 8, zxid: 0x1_0000_0005, error: .noNode), "00 00 00 08 00 00 00 01 00 00 00 05 ff ff ff 9b"),
        (ReplyHeader(xid: SpecialXid.notification, zxid: -1), "ff ff ff ff ff ff ff ff ff ff ff ff 00 00 00 00"),
    ])
    func replyHeader(header: ReplyHeader, expected: String) {
        expectGolden(header, expected)
    }

    @Test func replyHeaderDefaultsToOK() {
        #expect(ReplyHeader(xid: 1, zxid: 2).error == .ok)
    }

    @Test func watcherEvent() throws {
        // new WatcherEvent(3, 3, "/app/config")
        let event = WatcherEvent(type: .nodeDataChanged, state: .syncConnected, path: "/app/config")
        expectGolden(event, "00 00 00 03 00 00 00 03 00 00 00 0b 2f 61 70 70 2f 63 6f 6e 66 69 67")
        #expect(WatcherEvent(type: .nodeCreated, path: "/x").state == .syncConnected)
    }

    @Test func watcherEventWithNullPathDecodesAsEmpty() throws {
        let event = try decode(WatcherEvent.self, hex("ff ff ff ff 00 00 00 00 ff ff ff ff"))
        #expect(event == WatcherEvent(type: .none, state: .disconnected, path: ""))
    }

    @Test func errorResponse() {
        expectGolden(ErrorResponse(), "00 00 00 00")  // addWatch's reply body
        expectGolden(ErrorResponse(error: .noNode), "ff ff ff 9b")
    }

    @Test func multiHeader() {
        expectGolden(MultiHeader.terminator, "ff ff ff ff 01 ff ff ff ff")
        expectGolden(MultiHeader(type: 5, done: false, error: -1), "00 00 00 05 00 ff ff ff ff")
    }

    @Test func multiHeaderDoneAcceptsAnyNonZeroByte() throws {
        #expect(try decode(MultiHeader.self, hex("ff ff ff ff 02 ff ff ff ff")).done)
        #expect(try decode(MultiHeader.self, hex("ff ff ff ff 80 ff ff ff ff")).done)
    }

    @Test func emptyResponseHasNoBytes() throws {
        #expect(encoded(EmptyResponse()) == [])
        #expect(try decode(EmptyResponse.self, []) == EmptyResponse())
        #expect(juteErrorKind { _ = try decode(EmptyResponse.self, [0]) } == .trailingBytes)
    }
}
