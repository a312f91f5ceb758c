import Foundation
import Testing
import ZooKeeper
import ZooKeeperServer
import ZooKeeperTestSupport

@testable import ZooKeeperShell

/// A node with a huge number of children, on both servers: `zk` lists, counts, walks and deletes
/// it, though its children's names take more than `jute.maxbuffer` (zkCli.sh fails there with a
/// connection loss), and with a lower `--max-reply` the command fails alone with a line naming the
/// limit and the option. `make test` uses 100,000 children (1.7 MB of names);
/// `make test-huge-children` runs it with a million (`ZK_HUGE_CHILDREN`).
@Suite(.timeLimit(.minutes(60))) struct HugeChildrenTests {
    static let count = ProcessInfo.processInfo.environment["ZK_HUGE_CHILDREN"].flatMap(Int.init) ?? 100_000

    /// Runs `zk -s address` with `arguments`, with time for a million nodes (and for each
    /// request of a batch of thousands on a busy machine). Its session asks for
    /// `sessionTimeout`: the test's embedded server is a debug build, which takes half a minute
    /// to list a million children (a release build, a second), answering nothing else meanwhile,
    /// and a shorter session would take that for a dead connection.
    static func zk(_ address: String, _ arguments: [String]) async throws -> ZooKeeperTestSupport.ChildProcess.Result {
        try await ZooKeeperTestSupport.ChildProcess.run(
            ServeCommandTests.zk.path,
            ["-s", address, "--connect-timeout", "120", "--timeout", "\(Self.sessionTimeout.components.seconds)"]
                + arguments,
            environment: ShellCommandTests.environment(), timeout: .seconds(3000))
    }

    /// The session timeout of the test's clients (an Apache ZooKeeper with 2 s ticks grants at
    /// most 40 s: it lists a million children in about a second).
    static let sessionTimeout = Duration.seconds(300)

    /// Runs `body` with the address of an embedded server or of an Apache ZooKeeper of its own
    /// (the shared one's 256 MB of heap do not hold a million nodes, nor do its 200 ms ticks
    /// allow sessions long enough for a busy machine).
    static func withConnectString(_ target: ShellTarget, _ body: (String) async throws -> Void) async throws {
        switch target {
        case .embedded:
            var configuration = ZooKeeperServer.Configuration(port: 0)
            configuration.maxSessionTimeout = sessionTimeout
            try await ZooKeeperServer.withServer(configuration: configuration) { server in
                try await body(server.connectString)
            }
        case .apache:
            // Ticks of 2 s: sessions of 30 s.
            try await ApacheZooKeeper.with(tickTime: 2000, extraProperties: ["-Xmx2g"]) { apache in
                try await body(apache.connectString)
            }
        }
    }

    @Test(arguments: ShellTarget.allCases)
    func aNodeWithHugelyManyChildrenIsListedCountedWalkedAndDeleted(_ target: ShellTarget) async throws {
        try await Self.withConnectString(target) { address in
            // Sorted as they are numbered: what ls prints.
            let names = (0..<Self.count).map { "child-" + String(format: "%07d", $0) }
            // Long enough for a busy machine: a batch of thousands of writes, or a listing of a
            // million children, keeps the server from answering pings for a while.
            var configuration = SharedApacheZooKeeper.configuration(sessionTimeout: Self.sessionTimeout)
            configuration.requestTimeout = .seconds(600)
            let zk = try await ZooKeeperClient.connect(address, configuration: configuration)
            try await zk.create("/big")
            for slice in names.slices(of: 5000) {
                let created = try await zk.create(slice.map { ("/big/" + $0, []) })
                for case .failure(let error) in created.prefix(1) { Issue.record("create failed: \(error)") }
            }

            let list = try await Self.zk(address, ["ls", "--json", "/big"])
            #expect(list.status == 0, "\(list.errorText)")
            let listed = try JSONSerialization.jsonObject(with: Data(list.stdout)) as? [String: Any]
            #expect(listed?["children"] as? [String] == names)

            let stat = try await Self.zk(address, ["stat", "--json", "/big"])
            let statObject = try JSONSerialization.jsonObject(with: Data(stat.stdout)) as? [String: Any]
            #expect(statObject?["numChildren"] as? Int == Self.count)

            let walk = try await Self.zk(address, ["ls", "-R", "/big"])
            #expect(walk.status == 0, "\(walk.errorText)")
            #expect(walk.text == (["/big"] + names.map { "/big/" + $0 }).map { $0 + "\n" }.joined())

            // ls reads children and stat (getChildren2): 16 bytes of reply header, the count, each
            // name with its length, then the 68 bytes of the stat.
            let replyLength = 16 + 4 + Self.count * (4 + names[0].utf8.count) + 68
            let limit = replyLength / 2
            let limited = try await Self.zk(address, ["--max-reply", "\(limit)", "ls", "/big"])
            #expect(limited.status == 1)
            #expect(
                limited.errorText
                    == "zk: ReplyTooLarge: the reply of \(replyLength) bytes is over the client's limit of \(limit) bytes; raise it with --max-reply: /big\n"
            )
            let printed = limited.stdout.count
            #expect(printed == 0)

            let deleted = try await Self.zk(address, ["deleteall", "--force", "/big"])
            #expect(deleted.status == 0, "\(deleted.errorText)")
            #expect(try await zk.exists("/big") == nil)
            try await zk.close()
        }
    }
}
