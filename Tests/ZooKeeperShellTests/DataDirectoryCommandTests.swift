import Foundation
import Testing
import ZooKeeper
import ZooKeeperServer
import ZooKeeperTestSupport

/// `zk snapshot` and `zk txnlog` on a data directory Apache ZooKeeper 3.8 wrote
/// (`Tests/ZooKeeperServerTests/Fixtures/apache-3.8`, described in DataFileTests).
@Suite(.timeLimit(.minutes(5))) struct DataDirectoryCommandTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ZooKeeperServerTests/Fixtures/apache-3.8").path
    static let snapshot = fixture + "/version-2/snapshot.1b"

    static func zk(_ arguments: [String]) async throws -> ChildProcess.Result {
        try await ShellCommandTests.zk(arguments)
    }

    /// A copy of the fixture in a temporary directory, removed afterwards.
    static func withCopy(_ body: (String) async throws -> Void) async throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("zk-datadir-\(UUID().uuidString)")
        try FileManager.default.copyItem(atPath: fixture, toPath: copy.path)
        defer { try? FileManager.default.removeItem(at: copy) }
        try await body(copy.path)
    }

    @Test func infoSummarizesTheNewestSnapshot() async throws {
        let info = try await Self.zk(["snapshot", Self.fixture])
        #expect(info.status == 0, "\(info.errorText)")
        #expect(info.text.contains("zxid = 0x1c\n"), "\(info.text)")
        let json = try await Self.zk(["snapshot", "info", "--json", Self.snapshot])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout)) as? [String: Any]
        #expect(object?["zxid"] as? Int == 0x1b)
        #expect(object?["sessions"] as? Int == 6)  // the workload's and zkCli's, not yet expired
        #expect(object?["ephemerals"] as? Int == 1)
    }

    @Test func readingCommandsPrintWhatTheLiveOnesPrint() async throws {
        // Apache ZooKeeper on a copy of the directory serves the state of its newest snapshot and
        // log; the offline commands read the snapshot taken at the same zxid.
        let newest = Self.fixture + "/version-2/snapshot.1c.gz"
        // The fixture's TTL node expired long ago: no reaper may remove it while the test compares.
        try await ApacheZooKeeper.with(
            extraProperties: ["-Dzookeeper.extendedTypesEnabled=true", "-Dznode.container.checkIntervalMs=3600000"],
            seedData: Self.fixture
        ) { apache in
            let live = ["-s", apache.connectString, "--auth", "digest:alice:secret"]
            let paths = try await Self.zk(live + ["ls", "-R", "/"])
            #expect(paths.status == 0, "\(paths.errorText)")
            let offlinePaths = try await Self.zk(["snapshot", "ls", "-R", newest, "/"])
            #expect(offlinePaths.text == paths.text)
            for path in paths.text.split(separator: "\n").map(String.init) where !path.hasPrefix("/zookeeper/config") {
                for command in [["stat"], ["get", "-s"], ["ls", "-s"], ["get", "--json"], ["getAcl"]] {
                    let online = try await Self.zk(live + command + [path])
                    let offline = try await Self.zk(
                        ["snapshot"] + command.prefix(1) + [newest] + command.dropFirst() + [path])
                    #expect(offline.text == online.text, "\(command) \(path)")
                    #expect(offline.status == online.status, "\(command) \(path): \(offline.errorText)")
                }
            }
            for command in [["tree"], ["tree", "--json"], ["find", "--name", "seq-*"]] {
                let online = try await Self.zk(live + command + ["/app"])
                let offline = try await Self.zk(
                    ["snapshot"] + command.prefix(1) + [newest] + command.dropFirst() + ["/app"])
                #expect(offline.text == online.text, "\(command)")
            }
            let missing = try await Self.zk(["snapshot", "get", newest, "/nope"])
            let liveMissing = try await Self.zk(live + ["get", "/nope"])
            #expect(missing.status == 2 && missing.errorText == liveMissing.errorText)
            // The snapshot and the server it came from do not differ; an older one does.
            let same = try await Self.zk(live + ["snapshot", "diff", newest])
            #expect(same.status == 0 && same.text.isEmpty, "\(same.text)\(same.errorText)")
            let older = try await Self.zk(live + ["snapshot", "diff", Self.snapshot])
            #expect(older.status == 1)
            #expect(older.text == "- /app/eph\n~ /zookeeper/quota/app/zookeeper_stats (data)\n", "\(older.text)")
        }
    }

    @Test func diffOfTwoSnapshots() async throws {
        let diff = try await Self.zk([
            "snapshot", "diff", Self.fixture + "/version-2/snapshot.0", Self.snapshot, "--json",
        ])
        #expect(diff.status == 1)
        let changes = try JSONSerialization.jsonObject(with: Data(diff.stdout)) as? [[String: Any]] ?? []
        #expect(changes.contains { $0["path"] as? String == "/app/config" && $0["change"] as? String == "+" })
        #expect(changes.contains { $0["path"] as? String == "/zookeeper/quota/app" && $0["change"] as? String == "+" })
        #expect(!changes.contains { $0["change"] as? String == "-" })
        let text = try await Self.zk(["snapshot", "diff", Self.snapshot, Self.fixture + "/version-2/snapshot.1c.gz"])
        // The session's close deleted its ephemeral node, and the quota's count went down.
        #expect(text.text == "- /app/eph\n~ /zookeeper/quota/app/zookeeper_stats (data)\n", "\(text.text)")
    }

    @Test func restoreWritesASubtreeBackWithVersionsChecked() async throws {
        var configuration = ZooKeeperServer.Configuration(port: 0)
        configuration.extendedTypesEnabled = true
        try await ZooKeeperServer.withServer(configuration: configuration) { server in
            let address = server.connectString
            let zk = { (arguments: [String], _: [UInt8]) in try await Self.zk(["-s", address] + arguments) }
            _ = try await zk(["create", "/app"], [])
            _ = try await zk(["create", "/app/config", "changed"], [])
            let restore = try await Self.zk(["snapshot", "restore", Self.snapshot, "/app", "--to", address])
            #expect(restore.status == 0, "\(restore.errorText)")
            #expect(restore.errorText.contains("ephemeral skipped"), "\(restore.errorText)")
            #expect(try await zk(["get", "/app/config"], []).text == "{\"db\":\"oracle\"}")
            #expect(try await zk(["get", "/app/seq-0000000004"], []).text == "2")
            #expect(try await zk(["exists", "/app/eph"], []).status == 2)
            // Nothing left to do the second time (with the credentials to read /app/secret).
            let again = try await Self.zk([
                "--auth", "digest:alice:secret", "snapshot", "restore", "--dry-run", Self.snapshot, "/app", "--to",
                address,
            ])
            #expect(again.text == "skip-ephemeral /app/eph\n", "\(again.text)")
            #expect(
                again.errorText
                    == "would restore /app: 0 created, 0 data set, 0 ACLs set, 10 unchanged, 1 ephemeral skipped\n")
        }
    }

    @Test func whoDeletedANode() async throws {
        let deleted = try await Self.zk(["txnlog", Self.fixture, "--type", "delete", "--path", "/app/m2"])
        #expect(deleted.status == 0, "\(deleted.errorText)")
        let lines = deleted.text.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains(" session=0x100014528c50000 ") == true, "\(deleted.text)")
        #expect(lines.first?.hasSuffix(" delete /app/m2") == true, "\(deleted.text)")
        // The ephemeral's creation and its session's close, as JSON Lines.
        let eph = try await Self.zk(["txnlog", Self.fixture, "--path", "/app/eph", "--json"])
        let objects = eph.text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(objects.map { $0["type"] as? String } == ["create", "closeSession"])
        #expect(objects.last?["deleted"] as? [String] == ["/app/eph"])
        let multi = try await Self.zk(["txnlog", Self.fixture, "--type", "multi"])
        #expect(multi.text.split(separator: "\n").count == 5, "\(multi.text)")
        let window = try await Self.zk(["txnlog", Self.fixture, "--since", "0x3", "--until", "4"])
        #expect(window.text.split(separator: "\n").map { $0.split(separator: " ")[1] } == ["0x3", "0x4"])
    }

    @Test func verifyChecksChecksumsAndContinuity() async throws {
        let ok = try await Self.zk(["txnlog", "--verify", Self.fixture])
        #expect(ok.status == 0 && ok.text == "ok: 2 logs, 28 transactions, zxids 0x1-0x1c\n", "\(ok.text)")
        try await Self.withCopy { copy in
            let log = copy + "/version-2/log.1"
            var bytes = try Data(contentsOf: URL(fileURLWithPath: log))
            bytes[200] ^= 0x01
            try bytes.write(to: URL(fileURLWithPath: log))
            let bad = try await Self.zk(["txnlog", "--verify", copy])
            #expect(bad.status == 1)
            #expect(bad.text.contains("log.1: damaged at byte"), "\(bad.text)")
            let listing = try await Self.zk(["txnlog", copy])
            #expect(listing.status == 1)
            #expect(listing.errorText.split(separator: "\n").count == 1, "\(listing.errorText)")
        }
    }

    @Test(arguments: [
        (["snapshot", "/proc/self"], "not a ZooKeeper data directory"),
        (["snapshot", "/nonexistent"], "/nonexistent: "),
        (["txnlog", "/proc/self"], "not a ZooKeeper data directory"),
        (["snapshot", "get", DataDirectoryCommandTests.fixture + "/version-2/log.1", "/"], "not a ZooKeeper snapshot"),
        (["txnlog", DataDirectoryCommandTests.snapshot], "not a ZooKeeper transaction log"),
        (["txnlog", DataDirectoryCommandTests.fixture, "--since", "yesterday"], "bad bound 'yesterday'"),
    ])
    func badInputIsOneLine(arguments: [String], message: String) async throws {
        let result = try await Self.zk(arguments)
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        #expect(result.errorText.split(separator: "\n").count == 1, "\(result.errorText)")
        #expect(result.errorText.contains(message), "\(result.errorText)")
    }

    @Test func aTruncatedSnapshotIsOneLine() async throws {
        try await Self.withCopy { copy in
            let file = copy + "/version-2/snapshot.1b"
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            try bytes.prefix(900).write(to: URL(fileURLWithPath: file))
            let result = try await Self.zk(["snapshot", "stat", file, "/"])
            #expect(result.status == 1)
            #expect(result.errorText.hasPrefix("zk: \(file): truncated"), "\(result.errorText)")
            // A data directory falls back to an older good snapshot, and says why.
            for name in ["snapshot.1c.gz", "snapshot.1c.snappy"] {
                try FileManager.default.removeItem(atPath: copy + "/version-2/" + name)
            }
            let fallback = try await Self.zk(["snapshot", copy])
            #expect(fallback.status == 0)
            #expect(fallback.text.contains("zxid = 0x0\n"), "\(fallback.text)")
            #expect(fallback.errorText.contains("skipping"), "\(fallback.errorText)")
        }
    }
}
