import Foundation
import Testing
import ZooKeeperProtocol
import ZooKeeperTestSupport

/// `zk config` and `zk reconfig` against a real 3-node Apache ZooKeeper ensemble (reconfigEnabled,
/// with a super user): membership changes, version checks and the rights they need.
@Suite(.timeLimit(.minutes(3))) struct ReconfigCommandTests {
    @Test func removeAndAddAServer() async throws {
        let superDigest = Id.digest(user: "super", password: "secret").id
        try await ApacheZooKeeper.with(
            size: 3, extraProperties: ["-Dzookeeper.DigestAuthenticationProvider.superDigest=\(superDigest)"]
        ) { ensemble in
            // Talk to the leader and remove a follower: removing the leader (or the server a client
            // is connected to) ends client connections while the ensemble re-forms.
            let leader = try #require(await ensemble.leader())
            let follower = leader == 1 ? 2 : 1
            func zk(_ arguments: [String], admin: Bool = true) async throws -> ChildProcess.Result {
                try await ShellCommandTests.zk(
                    ["-s", ensemble.address(of: leader)] + (admin ? ["--auth", "digest:super:secret"] : [])
                        + arguments)
            }
            let config = try await zk(["config"]).text
            let removedLine = try #require(config.split(separator: "\n").first { $0.hasPrefix("server.\(follower)=") })
            #expect(config.split(separator: "\n").filter { $0.hasPrefix("server.") }.count == 3)
            #expect(config.contains("version="))
            // Into a pipe, the stat starts a line of its own.
            let withStat = try await zk(["config", "-s"]).text
            #expect(withStat.contains("\ncZxid = "), "\(withStat)")

            let denied = try await zk(["reconfig", "-remove", "\(follower)"], admin: false)
            #expect(denied.status == 6, "only an admin may reconfigure: \(denied.errorText)")

            let removed = try await zk(["reconfig", "-remove", "\(follower)"])
            #expect(removed.status == 0, "\(removed.errorText)")
            #expect(!removed.text.contains("server.\(follower)=") && removed.text.contains("server.\(leader)="))
            let version = try #require(
                removed.text.split(separator: "\n").first { $0.hasPrefix("version=") }?.dropFirst("version=".count))

            // The follower comes back with a client address; -v guards against a concurrent change.
            let back = "\(removedLine);127.0.0.1:\(try freePort())"
            let stale = try await zk(["reconfig", "-v", "1", "-add", back])
            #expect(stale.status == 4, "a stale version is refused as BadVersion: \(stale.errorText)")
            let added = try await zk(["reconfig", "-s", "-v", String(version), "-add", back])
            #expect(added.status == 0, "\(added.errorText)")
            #expect(
                added.text.contains(String(removedLine.prefix { $0 != "=" })) && added.text.contains("dataLength = "))
            let clients = try await zk(["config", "-c"]).text
            #expect(clients.hasSuffix(back.split(separator: ";")[1] + "\n"), "\(clients)")
            let json = try #require(
                try JSONSerialization.jsonObject(with: Data(try await zk(["config", "--json"]).stdout))
                    as? [String: Any])
            #expect((json["clientAddresses"] as? [String])?.count == 1)
        }
    }
}
