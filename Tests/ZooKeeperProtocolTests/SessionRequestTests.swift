import NIOCore
import Testing
import ZooKeeperProtocol

@Suite(.timeLimit(.minutes(3))) struct SessionRequestTests {
    @Test func headerOnlyRequestsHaveEmptyBodies() throws {
        // kazoo: Ping.serialize() == Close.serialize() == b""; whoAmI has no request record.
        #expect(encoded(PingRequest()) == [])
        #expect(encoded(CloseSessionRequest()) == [])
        #expect(encoded(WhoAmIRequest()) == [])
        #expect(try decode(PingRequest.self, []) == PingRequest())
        #expect(try decode(CloseSessionRequest.self, []) == CloseSessionRequest())
        #expect(try decode(WhoAmIRequest.self, []) == WhoAmIRequest())
        #expect(PingRequest.opCode.rawValue == 11)
        #expect(CloseSessionRequest.opCode.rawValue == -11)
        #expect(WhoAmIRequest.opCode.rawValue == 107)
    }

    @Test func authPacket() throws {
        // kazoo: Auth(0, "digest", "bob:secret"); Java jute: new AuthPacket(0, "digest", "bob:secret")
        let packet = AuthPacket(scheme: "digest", auth: Array("bob:secret".utf8))
        expectGolden(packet, "00 00 00 00 00 00 00 06 64 69 67 65 73 74 00 00 00 0a 62 6f 62 3a 73 65 63 72 65 74")
        #expect(packet.type == 0)
        #expect(AuthPacket.opCode.rawValue == 100)
    }

    @Test func kazooAuthWithEmptyStringsDecodes() throws {
        // kazoo: Auth(0, "", "") writes both as -1.
        let packet = try decode(AuthPacket.self, hex("00 00 00 00 ff ff ff ff ff ff ff ff"))
        #expect(packet == AuthPacket(scheme: "", auth: []))
    }

    @Test func whoAmIResponse() {
        // Java jute: new WhoAmIResponse(List.of(new ClientInfo("ip", "127.0.0.1"), new ClientInfo("digest", "bob")))
        let response = WhoAmIResponse(clientInfo: [
            ClientInfo(authScheme: "ip", user: "127.0.0.1"), ClientInfo(authScheme: "digest", user: "bob"),
        ])
        expectGolden(
            response,
            """
            00 00 00 02 00 00 00 02 69 70 00 00 00 09 31 32 37 2e 30 2e 30 2e 31
            00 00 00 06 64 69 67 65 73 74 00 00 00 03 62 6f 62
            """)
        expectGolden(WhoAmIResponse(clientInfo: []), "00 00 00 00")
        #expect(WhoAmIRequest.Response.self == WhoAmIResponse.self)
    }

    @Test func whoAmINullVectorDecodesAsEmpty() throws {
        #expect(try decode(WhoAmIResponse.self, hex("ff ff ff ff")).clientInfo == [])
    }

    @Test func sasl() throws {
        // kazoo: SASL(bytes([1, 2, 3, 255])); Java jute: new GetSASLRequest(...), new SetSASLResponse(ca fe)
        expectGolden(SASLRequest(token: [1, 2, 3, 0xff]), "00 00 00 04 01 02 03 ff")
        expectGolden(SASLResponse(token: [0xca, 0xfe]), "00 00 00 02 ca fe")
        #expect(try decode(SASLResponse.self, hex("ff ff ff ff")).token == [])
        #expect(SASLRequest.opCode.rawValue == 102)
        #expect(SASLRequest.Response.self == SASLResponse.self)
    }

    @Test func reconfig() {
        // kazoo: Reconfig("server.4=10.0.0.4:2888:3888;2181", "3", None, 0x100000000); the Java jute
        // ReconfigRequest gives the same bytes (null string = -1).
        let request = ReconfigRequest(
            joiningServers: "server.4=10.0.0.4:2888:3888;2181", leavingServers: "3", newMembers: nil,
            currentConfigID: 0x1_0000_0000)
        expectGolden(
            request,
            """
            00 00 00 20 73 65 72 76 65 72 2e 34 3d 31 30 2e 30 2e 30 2e 34 3a 32 38 38 38 3a 33 38 38 38 3b
            32 31 38 31 00 00 00 01 33 ff ff ff ff 00 00 00 01 00 00 00 00
            """)
        #expect(ReconfigRequest(joiningServers: nil, leavingServers: nil, newMembers: nil).currentConfigID == -1)
        #expect(ReconfigRequest.opCode.rawValue == 16)
    }

    @Test func reconfigResponseIsAGetDataResponse() {
        // Java jute: new GetDataResponse("server.1=a:1:2;3\nversion=100000000".getBytes(), statB)
        expectGolden(
            GetDataResponse(data: Array("server.1=a:1:2;3\nversion=100000000".utf8), stat: Fixtures.statB),
            """
            00 00 00 22 73 65 72 76 65 72 2e 31 3d 61 3a 31 3a 32 3b 33 0a 76 65 72 73 69 6f 6e 3d 31 30 30
            30 30 30 30 30 30
            """ + Fixtures.statBHex)
        #expect(configNodePath == "/zookeeper/config")
    }
}
