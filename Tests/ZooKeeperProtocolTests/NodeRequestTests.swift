import NIOCore
import Testing
import ZooKeeperProtocol

// Request records of node operations. Vectors marked kazoo were produced by kazoo 2.11.0's
// serializers; the Java jute classes produce the same bytes for all of them.
@Suite(.timeLimit(.minutes(3))) struct NodeRequestTests {
    static let appNode = "00 00 00 09 2f 61 70 70 2f 6e 6f 64 65"  // "/app/node"
    static let app = "00 00 00 04 2f 61 70 70"  // "/app"

    @Test func create() {
        // kazoo: Create("/app/node", b"hello", [ACL(31, Id("world", "anyone"))], 1)
        let request = CreateRequest(
            path: "/app/node", data: Array("hello".utf8), acl: Fixtures.openACL, mode: .ephemeral)
        expectGolden(request, Self.appNode + " 00 00 00 05 68 65 6c 6c 6f " + Fixtures.openACLHex + " 00 00 00 01")
        #expect(CreateRequest.opCode.rawValue == 1)
    }

    @Test func createWithNullData() {
        // kazoo: Create("/app/node", None, open_acl, 0): null data is length -1.
        let request = CreateRequest(path: "/app/node", data: nil, acl: Fixtures.openACL, mode: .persistent)
        expectGolden(request, Self.appNode + " ff ff ff ff " + Fixtures.openACLHex + " 00 00 00 00")
    }

    @Test func createWithEmptyDataAndTwoACLs() {
        // kazoo: Create("/app/node", b"", two_acls, 2): empty data is length 0, not -1.
        let request = CreateRequest(path: "/app/node", data: [], acl: Fixtures.twoACLs, mode: .persistentSequential)
        expectGolden(request, Self.appNode + " 00 00 00 00 " + Fixtures.twoACLsHex + " 00 00 00 02")
    }

    @Test func create2() {
        // kazoo: Create2("/app/seq-", b"hello", open_acl, 3)
        let request = Create2Request(
            path: "/app/seq-", data: Array("hello".utf8), acl: Fixtures.openACL, mode: .ephemeralSequential)
        expectGolden(
            request,
            "00 00 00 09 2f 61 70 70 2f 73 65 71 2d 00 00 00 05 68 65 6c 6c 6f " + Fixtures.openACLHex + " 00 00 00 03")
        #expect(Create2Request.opCode.rawValue == 15)
    }

    @Test func createContainer() {
        // kazoo: Create("/app/c", b"", open_acl, 4) (the container record is a plain CreateRequest)
        let request = CreateContainerRequest(path: "/app/c", data: [], acl: Fixtures.openACL, mode: .container)
        expectGolden(request, "00 00 00 06 2f 61 70 70 2f 63 00 00 00 00 " + Fixtures.openACLHex + " 00 00 00 04")
        #expect(CreateContainerRequest.opCode.rawValue == 19)
    }

    @Test func createTTL() {
        // Java jute (kazoo has no TTL): new CreateTTLRequest("/app/ttl", "t", open_acl, 5, 60000L)
        let request = CreateTTLRequest(
            path: "/app/ttl", data: Array("t".utf8), acl: Fixtures.openACL, mode: .persistentWithTTL, ttl: 60000)
        expectGolden(
            request,
            "00 00 00 08 2f 61 70 70 2f 74 74 6c 00 00 00 01 74 " + Fixtures.openACLHex
                + " 00 00 00 05 00 00 00 00 00 00 ea 60")
        #expect(CreateTTLRequest.opCode.rawValue == 21)
    }

    @Test func createPathAccessorsReachTheFields() {
        var request = CreateRequest(path: "/a", data: nil, acl: [], mode: .persistent)
        request.path = "/chroot/a"
        #expect(request.fields.path == "/chroot/a")
        var ttl = CreateTTLRequest(path: "/a", data: nil, acl: [], mode: .persistentWithTTL, ttl: 1)
        ttl.path = "/chroot/a"
        #expect(ttl.fields.path == "/chroot/a")
    }

    @Test func delete() {
        // kazoo: Delete("/app/node", 3) and Delete("/app/node", -1)
        expectGolden(DeleteRequest(path: "/app/node", version: 3), Self.appNode + " 00 00 00 03")
        expectGolden(DeleteRequest(path: "/app/node"), Self.appNode + " ff ff ff ff")
        #expect(DeleteRequest.opCode.rawValue == 2)
    }

    @Test func exists() {
        // kazoo: Exists("/app", True)
        expectGolden(ExistsRequest(path: "/app", watch: true), Self.app + " 01")
        #expect(ExistsRequest(path: "/app").watch == false)
        #expect(ExistsRequest.opCode.rawValue == 3)
    }

    @Test func getData() {
        // kazoo: GetData("/app/node", False)
        expectGolden(GetDataRequest(path: "/app/node", watch: false), Self.appNode + " 00")
        #expect(GetDataRequest.opCode.rawValue == 4)
    }

    @Test func setData() {
        // kazoo: SetData("/app/node", b"world", 2) and SetData("/app/node", None, -1)
        expectGolden(
            SetDataRequest(path: "/app/node", data: Array("world".utf8), version: 2),
            Self.appNode + " 00 00 00 05 77 6f 72 6c 64 00 00 00 02")
        expectGolden(SetDataRequest(path: "/app/node", data: nil), Self.appNode + " ff ff ff ff ff ff ff ff")
        #expect(SetDataRequest.opCode.rawValue == 5)
    }

    @Test func getACL() {
        // kazoo: GetACL("/app")
        expectGolden(GetACLRequest(path: "/app"), Self.app)
        #expect(GetACLRequest.opCode.rawValue == 6)
    }

    @Test func setACL() {
        // kazoo: SetACL("/app", two_acls, 0)
        expectGolden(
            SetACLRequest(path: "/app", acl: Fixtures.twoACLs, version: 0),
            Self.app + " " + Fixtures.twoACLsHex + " 00 00 00 00")
        #expect(SetACLRequest(path: "/app", acl: []).version == -1)
        #expect(SetACLRequest.opCode.rawValue == 7)
    }

    @Test func getChildren() {
        // kazoo: GetChildren("/app", True) and GetChildren2("/app", False)
        expectGolden(GetChildrenRequest(path: "/app", watch: true), Self.app + " 01")
        expectGolden(GetChildren2Request(path: "/app", watch: false), Self.app + " 00")
        #expect(GetChildrenRequest.opCode.rawValue == 8)
        #expect(GetChildren2Request.opCode.rawValue == 12)
    }

    @Test func sync() {
        // kazoo: Sync("/app")
        expectGolden(SyncRequest(path: "/app"), Self.app)
        #expect(SyncRequest.opCode.rawValue == 9)
    }

    @Test func checkVersion() {
        // kazoo: CheckVersion("/app/node", 5)
        expectGolden(CheckVersionRequest(path: "/app/node", version: 5), Self.appNode + " 00 00 00 05")
        #expect(CheckVersionRequest.opCode.rawValue == 13)
    }

    @Test func getAllChildrenNumber() {
        // Java jute: new GetAllChildrenNumberRequest("/app")
        expectGolden(GetAllChildrenNumberRequest(path: "/app"), Self.app)
        #expect(GetAllChildrenNumberRequest.opCode.rawValue == 104)
    }

    @Test func getEphemerals() {
        // Java jute: new GetEphemeralsRequest("/app/")
        let request = GetEphemeralsRequest(prefixPath: "/app/")
        expectGolden(request, "00 00 00 05 2f 61 70 70 2f")
        #expect(request.path == "/app/")
        #expect(GetEphemeralsRequest.opCode.rawValue == 103)
    }

    @Test func kazooNullPathDecodesAsEmpty() throws {
        // kazoo: Sync("").serialize() writes the empty string as -1.
        #expect(try decode(SyncRequest.self, hex("ff ff ff ff")) == SyncRequest(path: ""))
        #expect(try decode(GetDataRequest.self, hex("ff ff ff ff 01")) == GetDataRequest(path: "", watch: true))
        // Our encoder writes "" as length 0 (what the Java client does).
        #expect(encoded(SyncRequest(path: "")) == hex("00 00 00 00"))
    }
}
