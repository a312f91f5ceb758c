import NIOCore
import Testing
import ZooKeeperProtocol

/// One record value, type-erased, for tests that run over every record type.
struct RecordSample: Sendable, CustomTestStringConvertible {
    let name: String
    /// The value's encoding.
    let encoding: [UInt8]
    /// Prefix lengths of `encoding` that are complete records themselves (the 44-byte ConnectRequest
    /// inside the 45-byte one).
    let completePrefixLengths: Set<Int>
    /// Whether decoding `encoding` gives back the value.
    let roundTrips: @Sendable () -> Bool
    /// Decodes one record from the front of a buffer (`init(from:)`).
    let decodeFront: @Sendable (inout ByteBuffer) throws -> Void
    /// Decodes `bytes` with `init(decodingAll:)`; on success, checks that encoding the result and
    /// decoding that again gives the same value (returns false when it does not).
    let decodeAllAndReencode: @Sendable ([UInt8]) throws -> Bool

    var testDescription: String { name }

    static func of<Record: JuteRecord & Equatable>(
        _ value: Record, _ name: String, completePrefixLengths: Set<Int> = []
    ) -> RecordSample {
        RecordSample(
            name: name, encoding: encoded(value), completePrefixLengths: completePrefixLengths,
            roundTrips: { (try? Record(decodingAll: value.juteEncoded())) == value },
            decodeFront: { buffer in _ = try Record(from: &buffer) },
            decodeAllAndReencode: { bytes in
                let decoded = try Record(decodingAll: ByteBuffer(bytes: bytes))
                return (try? Record(decodingAll: decoded.juteEncoded())) == decoded
            })
    }
}

enum RecordSamples {
    static let password = [UInt8](0..<16)
    static let data = Array("some data".utf8)

    static let all: [RecordSample] = [
        .of(
            ConnectRequest(lastZxidSeen: 5, timeout: 30000, sessionID: 7, password: password, readOnly: true),
            "ConnectRequest45", completePrefixLengths: [44]),
        .of(ConnectRequest(timeout: 30000, readOnly: nil), "ConnectRequest44"),
        .of(
            ConnectResponse(timeout: 4000, sessionID: -5, password: password, readOnly: false), "ConnectResponse37",
            completePrefixLengths: [36]),
        .of(ConnectResponse(timeout: 4000, sessionID: 1, password: [], readOnly: nil), "ConnectResponse36"),
        .of(RequestHeader(xid: -4, opCode: .auth), "RequestHeader"),
        .of(ReplyHeader(xid: 3, zxid: -1, error: .sessionExpired), "ReplyHeader"),
        .of(WatcherEvent(type: .nodeChildrenChanged, state: .syncConnected, path: "/a/é"), "WatcherEvent"),
        .of(WatcherEvent(type: .none, state: .expired, path: ""), "WatcherEventEmptyPath"),
        .of(ErrorResponse(error: .badVersion), "ErrorResponse"),
        .of(MultiHeader(type: 1, done: false, error: -1), "MultiHeader"),
        .of(EmptyResponse(), "EmptyResponse"),
        .of(Fixtures.statA, "Stat"),
        .of(StatResponse(stat: Fixtures.statA), "StatResponse"),
        .of(Id(scheme: "ip", id: "10.0.0.0/8"), "Id"),
        .of(Fixtures.twoACLs[0], "ACL"),
        .of(AuthPacket(scheme: "digest", auth: Array("u:p".utf8)), "AuthPacket"),
        .of(AuthPacket(type: 1, scheme: "", auth: []), "AuthPacketEmpty"),
        .of(CreateRequest(path: "/a", data: data, acl: Fixtures.twoACLs, mode: .ephemeral), "CreateRequest"),
        .of(CreateRequest(path: "/a", data: nil, acl: [], mode: .persistent), "CreateRequestNullDataNoACL"),
        .of(CreateRequest(path: "/a", data: [], acl: Fixtures.openACL, mode: .persistent), "CreateRequestEmptyData"),
        .of(
            Create2Request(path: "/b-", data: data, acl: Fixtures.openACL, mode: .persistentSequential),
            "Create2Request"),
        .of(
            CreateContainerRequest(path: "/c", data: nil, acl: Fixtures.openACL, mode: .container),
            "CreateContainerRequest"),
        .of(
            CreateTTLRequest(
                path: "/t", data: data, acl: Fixtures.openACL, mode: .persistentSequentialWithTTL, ttl: 0xFF_FFFF_FFFF),
            "CreateTTLRequest"),
        .of(CreateResponse(path: "/b-0000000001"), "CreateResponse"),
        .of(Create2Response(path: "/b-0000000001", stat: Fixtures.statB), "Create2Response"),
        .of(DeleteRequest(path: "/a", version: 7), "DeleteRequest"),
        .of(ExistsRequest(path: "/a", watch: true), "ExistsRequest"),
        .of(GetDataRequest(path: "/a", watch: true), "GetDataRequest"),
        .of(GetDataResponse(data: data, stat: Fixtures.statA), "GetDataResponse"),
        .of(GetDataResponse(data: nil, stat: Fixtures.statA), "GetDataResponseNull"),
        .of(GetDataResponse(data: [], stat: Fixtures.statA), "GetDataResponseEmpty"),
        .of(SetDataRequest(path: "/a", data: data, version: 1), "SetDataRequest"),
        .of(SetDataRequest(path: "/a", data: nil, version: -1), "SetDataRequestNull"),
        .of(SetDataRequest(path: "/a", data: [], version: -1), "SetDataRequestEmpty"),
        .of(GetACLRequest(path: "/a"), "GetACLRequest"),
        .of(GetACLResponse(acl: Fixtures.twoACLs, stat: Fixtures.statA), "GetACLResponse"),
        .of(GetACLResponse(acl: [], stat: Fixtures.statA), "GetACLResponseEmpty"),
        .of(SetACLRequest(path: "/a", acl: Fixtures.twoACLs, version: 3), "SetACLRequest"),
        .of(GetChildrenRequest(path: "/", watch: false), "GetChildrenRequest"),
        .of(GetChildrenResponse(children: ["x", "", "zookeeper"]), "GetChildrenResponse"),
        .of(GetChildrenResponse(children: []), "GetChildrenResponseEmpty"),
        .of(GetChildren2Request(path: "/", watch: true), "GetChildren2Request"),
        .of(GetChildren2Response(children: ["x"], stat: Fixtures.statB), "GetChildren2Response"),
        .of(SyncRequest(path: "/a"), "SyncRequest"),
        .of(PathResponse(path: "/a"), "PathResponse"),
        .of(CheckVersionRequest(path: "/a", version: Int32.max), "CheckVersionRequest"),
        .of(GetAllChildrenNumberRequest(path: "/"), "GetAllChildrenNumberRequest"),
        .of(GetAllChildrenNumberResponse(totalNumber: -1), "GetAllChildrenNumberResponse"),
        .of(GetEphemeralsRequest(prefixPath: ""), "GetEphemeralsRequest"),
        .of(GetEphemeralsResponse(ephemerals: ["/e1", "/x/e2"]), "GetEphemeralsResponse"),
        .of(PingRequest(), "PingRequest"),
        .of(CloseSessionRequest(), "CloseSessionRequest"),
        .of(WhoAmIRequest(), "WhoAmIRequest"),
        .of(
            WhoAmIResponse(clientInfo: [
                ClientInfo(authScheme: "ip", user: "::1"), ClientInfo(authScheme: "", user: ""),
            ]), "WhoAmIResponse"),
        .of(ClientInfo(authScheme: "sasl", user: "zk@EXAMPLE.COM"), "ClientInfo"),
        .of(SASLRequest(token: [0, 1, 2]), "SASLRequest"),
        .of(SASLResponse(token: []), "SASLResponse"),
        .of(
            ReconfigRequest(joiningServers: nil, leavingServers: "", newMembers: "server.1=a:1:2", currentConfigID: -1),
            "ReconfigRequest"),
        .of(
            SetWatchesRequest(relativeZxid: 9, dataWatches: ["/a"], existWatches: [], childWatches: ["/b", "/c"]),
            "SetWatchesRequest"),
        .of(
            SetWatches2Request(
                relativeZxid: 9, dataWatches: [], existWatches: ["/e"], childWatches: [], persistentWatches: ["/p"],
                persistentRecursiveWatches: []), "SetWatches2Request"),
        .of(AddWatchRequest(path: "/a", mode: .persistent), "AddWatchRequest"),
        .of(CheckWatchesRequest(path: "/a", type: .children), "CheckWatchesRequest"),
        .of(RemoveWatchesRequest(path: "/a", type: .persistentRecursive), "RemoveWatchesRequest"),
        .of(
            MultiRequest(operations: [
                .create(CreateRequest(path: "/m", data: nil, acl: Fixtures.openACL, mode: .persistent)),
                .create2(Create2Request(path: "/m/a", data: data, acl: Fixtures.openACL, mode: .ephemeral)),
                .createContainer(
                    CreateContainerRequest(path: "/m/c", data: [], acl: Fixtures.openACL, mode: .container)),
                .createTTL(
                    CreateTTLRequest(path: "/m/t", data: nil, acl: Fixtures.openACL, mode: .persistentWithTTL, ttl: 5)),
                .delete(DeleteRequest(path: "/m/d")), .setData(SetDataRequest(path: "/m", data: data, version: 2)),
                .check(CheckVersionRequest(path: "/m", version: 3)),
            ]), "MultiRequest"),
        .of(MultiRequest(operations: []), "MultiRequestEmpty"),
        .of(
            MultiReadRequest(operations: [
                .getData(GetDataRequest(path: "/a")), .getChildren(GetChildrenRequest(path: "/")),
            ]),
            "MultiReadRequest"),
        .of(
            MultiResponse(results: [
                .create(path: "/m"), .create2(path: "/m/a", stat: Fixtures.statA), .delete,
                .setData(stat: Fixtures.statB),
                .check,
            ]), "MultiResponseSuccess"),
        .of(
            MultiResponse(results: [.error(.ok), .error(.nodeExists), .error(.runtimeInconsistency)]),
            "MultiResponseFailure"),
        .of(
            MultiResponse(results: [
                .getChildren(children: ["a"]), .getChildren(children: []), .getData(data: nil, stat: Fixtures.statB),
                .getData(data: [], stat: Fixtures.statA), .getData(data: data, stat: Fixtures.statA), .error(.noAuth),
            ]), "MultiResponseRead"),
    ]
}

/// A small deterministic generator (SplitMix64), so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
