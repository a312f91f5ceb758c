import NIOCore
import Testing
import ZooKeeperProtocol

@Suite(.timeLimit(.minutes(3))) struct RoundTripTests {
    @Test(arguments: RecordSamples.all)
    func decodeOfEncodeIsIdentity(sample: RecordSample) {
        #expect(sample.roundTrips())
    }

    @Test func nullDataStaysNullAndEmptyStaysEmpty() throws {
        for data: [UInt8]? in [nil, [], [0], Array(repeating: 0xff, count: 300)] {
            let create = CreateRequest(path: "/a", data: data, acl: Fixtures.openACL, mode: .persistent)
            #expect(try decode(CreateRequest.self, encoded(create)).fields.data == data)
            let set = SetDataRequest(path: "/a", data: data)
            #expect(try decode(SetDataRequest.self, encoded(set)).data == data)
            let get = GetDataResponse(data: data, stat: Fixtures.statB)
            #expect(try decode(GetDataResponse.self, encoded(get)).data == data)
            let result = MultiResponse(results: [.getData(data: data, stat: Fixtures.statB)])
            #expect(try decode(MultiResponse.self, encoded(result)) == result)
        }
    }

    @Test func nullStringsDecodeAsEmptyStrings() throws {
        // Every path-like field reads a null (-1) string as "" (kazoo sends "" that way).
        let null = "ff ff ff ff"
        #expect(try decode(DeleteRequest.self, hex(null + " 00 00 00 01")).path == "")
        #expect(try decode(CreateResponse.self, hex(null)).path == "")
        #expect(try decode(PathResponse.self, hex(null)).path == "")
        #expect(try decode(Create2Response.self, hex(null + Fixtures.statBHex)).path == "")
        #expect(try decode(AddWatchRequest.self, hex(null + " 00 00 00 00")).path == "")
        #expect(try decode(CheckWatchesRequest.self, hex(null + " 00 00 00 01")).path == "")
        #expect(try decode(ClientInfo.self, hex(null + " " + null)) == ClientInfo(authScheme: "", user: ""))
        #expect(
            try decode(CreateRequest.self, hex(null + " " + null + " " + null + " 00 00 00 00"))
                == CreateRequest(path: "", data: nil, acl: [], mode: .persistent))
        // reconfig is the exception: its null strings mean "not given" and stay nil.
        let reconfig = try decode(ReconfigRequest.self, hex("\(null) \(null) \(null) ff ff ff ff ff ff ff ff"))
        #expect(
            reconfig == ReconfigRequest(joiningServers: nil, leavingServers: nil, newMembers: nil, currentConfigID: -1))
        #expect(reconfig.leavingServers == nil)
    }

    @Test func emptyAndNullVectors() throws {
        let empty = SetWatches2Request(
            relativeZxid: 0, dataWatches: [], existWatches: [], childWatches: [], persistentWatches: [],
            persistentRecursiveWatches: [])
        #expect(encoded(empty) == hex("00 00 00 00 00 00 00 00" + String(repeating: " 00 00 00 00", count: 5)))
        #expect(
            try decode(
                SetWatches2Request.self, hex("00 00 00 00 00 00 00 00" + String(repeating: " ff ff ff ff", count: 5)))
                == empty)
        #expect(try decode(GetACLResponse.self, hex("ff ff ff ff " + Fixtures.statBHex)).acl == [])
        #expect(try decode(SetACLRequest.self, hex("00 00 00 01 2f ff ff ff ff 00 00 00 00")).acl == [])
    }

    @Test func largeValuesRoundTrip() throws {
        let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0) }
        let children = (0..<5000).map { "child-\($0)" }
        #expect(
            try decode(GetDataResponse.self, encoded(GetDataResponse(data: data, stat: Fixtures.statA))).data == data)
        #expect(
            try decode(GetChildrenResponse.self, encoded(GetChildrenResponse(children: children))).children == children)
    }
}
