import Foundation
import Testing
import ZooKeeperServer
import ZooKeeperTestSupport

/// `zk setquota`, `listquota` and `delquota` run the same script against Apache ZooKeeper and our
/// server; limits, usage and errors must be the same.
@Suite(.timeLimit(.minutes(3))) struct QuotaCommandTests {
    static let script = """
        create /svc x
        create /svc/a 12345
        setquota -n 10 -b 100 /svc
        listquota /svc
        listquota --json /svc
        create /svc/b 1234567890
        set /svc/a 1
        delete /svc/b
        setquota -N 4 /svc
        listquota /svc
        setquota -n 3 /svc/a
        setquota -n 3 /
        setquota -n 3 /missing
        listquota /missing
        delquota -b /svc
        listquota /svc
        delquota /svc
        listquota /svc
        ls /zookeeper/quota
        """

    static func transcript(_ address: String) async throws -> [String] {
        let result = try await ShellCommandTests.zk(["-s", address], input: Array(script.utf8))
        return (result.text + result.errorText).split(separator: "\n").map(String.init)
    }

    @Test func sameLimitsUsageAndErrorsAsApacheZooKeeper() async throws {
        let apache = try await ApacheZooKeeper.with(tickTime: 2000) { try await Self.transcript($0.connectString) }
        let ours = try await ZooKeeperServer.withServer(configuration: .init(port: 0)) {
            try await Self.transcript($0.connectString)
        }
        #expect(apache.contains("usage: count=2 bytes=6"), "\(apache)")
        #expect(apache.contains("quota: count=10 bytes=100 countHardLimit=4 byteHardLimit=-1"), "\(apache)")
        #expect(apache.contains("zk: BadArguments: /svc above it has a quota already: /svc/a"), "\(apache)")
        #expect(apache.contains("zk: NoNode: no quota: /missing"), "\(apache)")
        #expect(apache.contains("[]"), "delquota removed the quota nodes: \(apache)")
        expectSameLines(apache, ours, what: "line")
    }

    @Test func badLimitsAreUsageErrors() async throws {
        for arguments in [["setquota", "/x"], ["setquota", "-n", "0", "/x"], ["setquota", "-b", "-5", "/x"]] {
            let result = try await ShellCommandTests.zk(["--embedded"] + arguments)
            #expect(result.status == 64, "\(arguments): \(result.errorText)")
        }
    }
}
