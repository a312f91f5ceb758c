import Testing
import ZooKeeperProtocol
import ZooKeeperTestSupport

@testable import ZooKeeper

@Suite(.timeLimit(.minutes(3))) struct ConnectStringTests {
    @Test func hostsPortsAndChroot() throws {
        let parsed = try ConnectString("zk1:2181, zk2:2182,10.0.0.3/app/config")
        #expect(
            parsed.hosts == [
                .init(host: "zk1", port: 2181), .init(host: "zk2", port: 2182), .init(host: "10.0.0.3", port: 2181),
            ])
        #expect(parsed.chroot == "/app/config")
        #expect(parsed.description == "zk1:2181,zk2:2182,10.0.0.3:2181/app/config")
    }

    @Test func ipv6() throws {
        let parsed = try ConnectString("[::1]:2281,[fe80::1],::1")
        #expect(parsed.hosts == [.init(host: "::1", port: 2281), .init(host: "fe80::1"), .init(host: "::1")])
        #expect(parsed.hosts[0].description == "[::1]:2281")
    }

    @Test func rootChrootIsNone() throws {
        #expect(try ConnectString("localhost/").chroot == nil)
    }

    @Test(arguments: ["", ",", "a:0", "a:65536", "a:x", "[::1", "[::1]x", "a:1,,b:2", "a/b/", "a//b", "a/./b", ":2181"])
    func invalid(_ string: String) {
        #expect(throws: ZooKeeperError.self) { try ConnectString(string) }
    }

    @Test func chrootMapping() {
        let chroot = Chroot("/app")
        #expect(chroot.serverPath("/") == "/app")
        #expect(chroot.serverPath("/x") == "/app/x")
        #expect(chroot.clientPath("/app") == "/")
        #expect(chroot.clientPath("/app/x/y") == "/x/y")
        #expect(chroot.clientPath("/apple") == "/apple")
        #expect(Chroot(nil).serverPath("/x") == "/x")
        #expect(Chroot("/").root == nil)
    }

    @Test(arguments: [
        ("/", true), ("/a/b", true), ("", false), ("a", false), ("/a/", false), ("/a//b", false), ("/a/./b", false),
        ("/a/..", false), ("/a\u{0}", false), ("/a\u{1F}", false), ("/a\u{FFF5}", false), ("/ü", true),
    ])
    func pathValidation(_ path: String, _ valid: Bool) {
        #expect(PathValidation.isValid(path) == valid)
    }

    @Test func sequentialPathsMayEndWithSlash() {
        #expect(PathValidation.problem(with: "/q/", isSequential: true) == nil)
        #expect(PathValidation.problem(with: "/q/", isSequential: false) != nil)
    }
}
