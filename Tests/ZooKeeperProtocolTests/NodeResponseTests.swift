import NIOCore
import Testing
import ZooKeeperProtocol

// Reply bodies of node operations; every vector from the Java jute classes.
@Suite(.timeLimit(.minutes(3))) struct NodeResponseTests {
    @Test func createResponse() {
        // new CreateResponse("/app/seq-0000000007")
        expectGolden(
            CreateResponse(path: "/app/seq-0000000007"),
            "00 00 00 13 2f 61 70 70 2f 73 65 71 2d 30 30 30 30 30 30 30 30 30 37")
    }

    @Test func create2Response() {
        // new Create2Response("/app/node", statA)
        expectGolden(
            Create2Response(path: "/app/node", stat: Fixtures.statA),
            "00 00 00 09 2f 61 70 70 2f 6e 6f 64 65 " + Fixtures.statAHex)
    }

    @Test func getDataResponse() {
        // new GetDataResponse("hello".getBytes(), statA)
        expectGolden(
            GetDataResponse(data: Array("hello".utf8), stat: Fixtures.statA),
            "00 00 00 05 68 65 6c 6c 6f " + Fixtures.statAHex)
    }

    @Test func getDataResponseKeepsNullApartFromEmpty() throws {
        // new GetDataResponse(null, statB) and new GetDataResponse(new byte[0], statB)
        expectGolden(GetDataResponse(data: nil, stat: Fixtures.statB), "ff ff ff ff " + Fixtures.statBHex)
        expectGolden(GetDataResponse(data: [], stat: Fixtures.statB), "00 00 00 00 " + Fixtures.statBHex)
        #expect(try decode(GetDataResponse.self, hex("ff ff ff ff " + Fixtures.statBHex)).data == nil)
        #expect(try decode(GetDataResponse.self, hex("00 00 00 00 " + Fixtures.statBHex)).data == [])
    }

    @Test func getACLResponse() {
        // new GetACLResponse(two_acls, statB)
        expectGolden(
            GetACLResponse(acl: Fixtures.twoACLs, stat: Fixtures.statB), Fixtures.twoACLsHex + " " + Fixtures.statBHex)
    }

    @Test func getChildrenResponse() {
        // new GetChildrenResponse(List.of("a", "bc", "zk")) and List.of()
        expectGolden(
            GetChildrenResponse(children: ["a", "bc", "zk"]),
            "00 00 00 03 00 00 00 01 61 00 00 00 02 62 63 00 00 00 02 7a 6b")
        expectGolden(GetChildrenResponse(children: []), "00 00 00 00")
    }

    @Test func getChildren2Response() {
        // new GetChildren2Response(List.of("a", "bc"), statB)
        expectGolden(
            GetChildren2Response(children: ["a", "bc"], stat: Fixtures.statB),
            "00 00 00 02 00 00 00 01 61 00 00 00 02 62 63 " + Fixtures.statBHex)
    }

    @Test func syncResponse() {
        // new SyncResponse("/app")
        expectGolden(PathResponse(path: "/app"), "00 00 00 04 2f 61 70 70")
    }

    @Test func getAllChildrenNumberResponse() {
        // new GetAllChildrenNumberResponse(1234)
        expectGolden(GetAllChildrenNumberResponse(totalNumber: 1234), "00 00 04 d2")
    }

    @Test func getEphemeralsResponse() {
        // new GetEphemeralsResponse(List.of("/app/e1", "/e2"))
        expectGolden(
            GetEphemeralsResponse(ephemerals: ["/app/e1", "/e2"]),
            "00 00 00 02 00 00 00 07 2f 61 70 70 2f 65 31 00 00 00 03 2f 65 32")
    }

    @Test func nullChildVectorsAndNamesDecodeAsEmpty() throws {
        #expect(try decode(GetChildrenResponse.self, hex("ff ff ff ff")).children == [])
        #expect(
            try decode(GetChildrenResponse.self, hex("00 00 00 02 ff ff ff ff 00 00 00 01 61")).children == ["", "a"])
        #expect(try decode(GetEphemeralsResponse.self, hex("ff ff ff ff")).ephemerals == [])
        #expect(try decode(GetChildren2Response.self, hex("ff ff ff ff " + Fixtures.statBHex)).children == [])
    }

    @Test func responseTypesMatchTheRequests() {
        #expect(CreateRequest.Response.self == CreateResponse.self)
        #expect(Create2Request.Response.self == Create2Response.self)
        #expect(CreateContainerRequest.Response.self == Create2Response.self)
        #expect(CreateTTLRequest.Response.self == Create2Response.self)
        #expect(ExistsRequest.Response.self == StatResponse.self)
        #expect(SetDataRequest.Response.self == StatResponse.self)
        #expect(SetACLRequest.Response.self == StatResponse.self)
        #expect(GetDataRequest.Response.self == GetDataResponse.self)
        #expect(GetACLRequest.Response.self == GetACLResponse.self)
        #expect(SyncRequest.Response.self == PathResponse.self)
        #expect(DeleteRequest.Response.self == EmptyResponse.self)
        #expect(AddWatchRequest.Response.self == ErrorResponse.self)
        #expect(ReconfigRequest.Response.self == GetDataResponse.self)
    }
}
