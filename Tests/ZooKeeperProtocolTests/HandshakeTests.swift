import NIOCore
import Testing
import ZooKeeperProtocol

@Suite(.timeLimit(.minutes(3))) struct HandshakeTests {
    static let password = (UInt8(0xa0)...UInt8(0xaf)).map { $0 }

    static let request = ConnectRequest(
        protocolVersion: 0, lastZxidSeen: 0x1_0000_0005, timeout: 30000,
        sessionID: Int64(bitPattern: 0x9b00_0000_0000_0001), password: password, readOnly: true)

    // Java jute: new ConnectRequest(0, 0x100000005L, 30000, 0x9b00000000000001L, pw) (3.8's record
    // has no readOnly field: 44 bytes, as go-zookeeper sends it).
    static let request44Hex = """
        00 00 00 00  00 00 00 01 00 00 00 05  00 00 75 30  9b 00 00 00 00 00 00 01
        00 00 00 10  a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af
        """
    // kazoo: Connect(0, 0x100000005, 30000, 0x9b00000000000001, pw, True).serialize(); identical to
    // the Java record followed by writeBool(true), as ClientCnxnSocket sends it.
    static let request45Hex = request44Hex + " 01"

    @Test func connectRequestWithReadOnlyFlagIs45Bytes() {
        expectGolden(Self.request, Self.request45Hex)
        #expect(encoded(Self.request).count == 45)
    }

    @Test func connectRequestWithoutReadOnlyFlagIs44Bytes() {
        var request = Self.request
        request.readOnly = nil
        expectGolden(request, Self.request44Hex)
        #expect(encoded(request).count == 44)
    }

    @Test func connectRequestReadOnlyFalseWritesZero() throws {
        var request = Self.request
        request.readOnly = false
        #expect(encoded(request) == hex(Self.request44Hex + " 00"))
        #expect(try decode(ConnectRequest.self, hex(Self.request44Hex + " 00")).readOnly == false)
    }

    @Test func connectRequestDefaultsDescribeANewSession() {
        let request = ConnectRequest(timeout: 30000)
        #expect(request.protocolVersion == 0)
        #expect(request.lastZxidSeen == 0)
        #expect(request.sessionID == 0)
        #expect(request.password == [UInt8](repeating: 0, count: 16))
        #expect(request.readOnly == false)
        #expect(encoded(request).count == 45)
    }

    @Test func connectRequestNullPasswordDecodesAsEmpty() throws {
        let bytes = hex("00 00 00 00  00 00 00 00 00 00 00 00  00 00 75 30  00 00 00 00 00 00 00 00  ff ff ff ff")
        let request = try decode(ConnectRequest.self, bytes)
        #expect(request.password == [])
        #expect(request.readOnly == nil)
    }

    static let response = ConnectResponse(
        protocolVersion: 0, timeout: 20000, sessionID: Int64(bitPattern: 0x9b00_0000_0000_0001),
        password: password, readOnly: false)

    // Java jute: new ConnectResponse(0, 20000, 0x9b00000000000001L, pw): 36 bytes.
    static let response36Hex = """
        00 00 00 00  00 00 4e 20  9b 00 00 00 00 00 00 01
        00 00 00 10  a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af
        """

    @Test func connectResponseWithReadOnlyFlagIs37Bytes() {
        // Java jute record followed by writeBool(false, "readOnly"), as the 3.8 server writes it.
        expectGolden(Self.response, Self.response36Hex + " 00")
    }

    @Test func connectResponseWithoutReadOnlyFlagIs36Bytes() {
        var response = Self.response
        response.readOnly = nil
        expectGolden(response, Self.response36Hex)
    }

    @Test func connectResponseReadOnlyServer() throws {
        let response = try decode(ConnectResponse.self, hex(Self.response36Hex + " 01"))
        #expect(response.readOnly == true)
        #expect(!response.isSessionRejected)
    }

    @Test func rejectedSessionResponse() throws {
        // Java jute: new ConnectResponse(0, 0, 0L, new byte[16]) + writeBool(false).
        let bytes = hex(
            "00 00 00 00  00 00 00 00  00 00 00 00 00 00 00 00  00 00 00 10"
                + String(repeating: " 00", count: 16) + " 00")
        let response = try decode(ConnectResponse.self, bytes)
        #expect(response.isSessionRejected)
        #expect(response.sessionID == 0)
        #expect(response.password == [UInt8](repeating: 0, count: 16))
        #expect(ConnectResponse(timeout: -1, sessionID: 5, password: []).isSessionRejected)
        #expect(!ConnectResponse(timeout: 1, sessionID: 5, password: []).isSessionRejected)
    }

    @Test func connectRecordsWithExtraBytesAreRejectedByDecodingAll() {
        #expect(juteErrorKind { _ = try decode(ConnectRequest.self, hex(Self.request45Hex + " 00")) } == .trailingBytes)
        #expect(
            juteErrorKind { _ = try decode(ConnectResponse.self, hex(Self.response36Hex + " 00 00")) } == .trailingBytes
        )
    }
}
