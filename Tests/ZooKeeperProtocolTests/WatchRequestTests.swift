import NIOCore
import Testing
import ZooKeeperProtocol

// kazoo has none of these records; every vector comes from the Java jute classes.
@Suite(.timeLimit(.minutes(3))) struct WatchRequestTests {
    @Test func setWatches() {
        // new SetWatches(0x100000009L, List.of("/a", "/b"), List.of("/c"), List.of())
        let request = SetWatchesRequest(
            relativeZxid: 0x1_0000_0009, dataWatches: ["/a", "/b"], existWatches: ["/c"], childWatches: [])
        expectGolden(
            request,
            """
            00 00 00 01 00 00 00 09
            00 00 00 02 00 00 00 02 2f 61 00 00 00 02 2f 62
            00 00 00 01 00 00 00 02 2f 63
            00 00 00 00
            """)
        #expect(SetWatchesRequest.opCode.rawValue == 101)
    }

    @Test func setWatches2() {
        // new SetWatches2(0x100000009L, List.of("/a"), List.of(), List.of("/c"), List.of("/p"), List.of("/r", "/s"))
        let request = SetWatches2Request(
            relativeZxid: 0x1_0000_0009, dataWatches: ["/a"], existWatches: [], childWatches: ["/c"],
            persistentWatches: ["/p"], persistentRecursiveWatches: ["/r", "/s"])
        expectGolden(
            request,
            """
            00 00 00 01 00 00 00 09
            00 00 00 01 00 00 00 02 2f 61
            00 00 00 00
            00 00 00 01 00 00 00 02 2f 63
            00 00 00 01 00 00 00 02 2f 70
            00 00 00 02 00 00 00 02 2f 72 00 00 00 02 2f 73
            """)
        #expect(SetWatches2Request.opCode.rawValue == 105)
    }

    @Test func setWatchesNullVectorsDecodeAsEmpty() throws {
        let request = try decode(
            SetWatchesRequest.self, hex("00 00 00 00 00 00 00 05 ff ff ff ff ff ff ff ff ff ff ff ff"))
        #expect(request == SetWatchesRequest(relativeZxid: 5, dataWatches: [], existWatches: [], childWatches: []))
    }

    @Test func addWatch() {
        // new AddWatchRequest("/app", 1); its reply is new ErrorResponse(0)
        expectGolden(AddWatchRequest(path: "/app", mode: .persistentRecursive), "00 00 00 04 2f 61 70 70 00 00 00 01")
        expectGolden(AddWatchRequest(path: "/app", mode: .persistent), "00 00 00 04 2f 61 70 70 00 00 00 00")
        #expect(AddWatchRequest.opCode.rawValue == 106)
    }

    @Test func checkAndRemoveWatches() {
        // new CheckWatchesRequest("/app", 2) and new RemoveWatchesRequest("/app", 3)
        expectGolden(CheckWatchesRequest(path: "/app", type: .data), "00 00 00 04 2f 61 70 70 00 00 00 02")
        expectGolden(RemoveWatchesRequest(path: "/app", type: .any), "00 00 00 04 2f 61 70 70 00 00 00 03")
        #expect(CheckWatchesRequest.opCode.rawValue == 17)
        #expect(RemoveWatchesRequest.opCode.rawValue == 18)
    }
}
