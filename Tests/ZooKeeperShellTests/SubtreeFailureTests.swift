import Foundation
import Testing
import ZooKeeper
import ZooKeeperServer
import ZooKeeperTestSupport

@testable import ZooKeeperShell

/// The subtree commands over a tree with a node the session may not read, and with nodes
/// deleted during the walk: as find(1) does, they print what they can read, name each skipped
/// subtree on stderr and exit with status 6; a node gone meanwhile is left out without a word.
@Suite(.timeLimit(.minutes(3))) struct SubtreeFailureTests {
    /// Runs `zk -s address` with `arguments`.
    static func zk(_ address: String, _ arguments: [String]) async throws -> ShellCommandTests.Result {
        try await ShellCommandTests.zk(["-s", address] + arguments)
    }

    /// /t with /t/a/secret readable by nobody (world:anyone:c), which hides /t/a/secret/hidden.
    static func makeTree(_ address: String) async throws {
        let zk = try await ZooKeeperClient.connect(address, configuration: SharedApacheZooKeeper.configuration())
        try await zk.create("/t", data: Array("top".utf8))
        try await zk.create("/t/a", data: Array("alpha needle".utf8))
        try await zk.create("/t/a/secret", data: Array("secret needle".utf8))
        try await zk.create("/t/a/secret/hidden", data: Array("needle hidden".utf8))
        try await zk.setACL("/t/a/secret", acl: [ACL(permissions: .create, id: .anyone)])
        try await zk.create("/t/a/z", data: Array("z".utf8))
        try await zk.create("/t/b", data: Array("needle b".utf8))
        try await zk.close()
    }

    static let skipped = "zk: /t/a/secret: not allowed to read (NoAuth); skipped\n"

    @Test(arguments: ShellTarget.allCases)
    func listingCommandsPrintWhatTheyCanReadAndNameTheSkippedSubtree(_ target: ShellTarget) async throws {
        try await target.withConnectString { address in
            try await Self.makeTree(address)
            let readable = ["/t", "/t/a", "/t/a/secret", "/t/a/z", "/t/b"]

            let list = try await Self.zk(address, ["ls", "-R", "/t"])
            #expect(list.status == 6)
            #expect(list.text == readable.map { $0 + "\n" }.joined())
            #expect(list.errorText == Self.skipped)
            let listJSON = try await Self.zk(address, ["ls", "-R", "--json", "/t"])
            #expect(listJSON.status == 6 && listJSON.errorText == Self.skipped)
            #expect(try JSONSerialization.jsonObject(with: Data(listJSON.stdout)) as? [String] == readable)

            let tree = try await Self.zk(address, ["tree", "/t"])
            #expect(tree.status == 6)
            #expect(tree.text == "/t\n├── a\n│   ├── secret\n│   └── z\n└── b\n")
            #expect(tree.errorText == Self.skipped)
            let treeJSON = try await Self.zk(address, ["tree", "--json", "/t"])
            #expect(treeJSON.status == 6 && treeJSON.errorText == Self.skipped)
            let nested = try JSONSerialization.jsonObject(with: Data(treeJSON.stdout)) as? [String: Any]
            let children = nested?["children"] as? [[String: Any]]
            #expect(children?.compactMap { $0["path"] as? String } == ["/t/a", "/t/b"])

            let find = try await Self.zk(address, ["find", "/t"])
            #expect(find.status == 6)
            #expect(find.text == readable.map { $0 + "\n" }.joined())
            #expect(find.errorText == Self.skipped)
            let named = try await Self.zk(address, ["find", "--json", "--name", "s*", "/t"])
            #expect(named.status == 6 && named.errorText == Self.skipped)
            #expect(try JSONSerialization.jsonObject(with: Data(named.stdout)) as? [String] == ["/t/a/secret"])

            // The unreadable node's stat is public (exists needs no permission): it is counted,
            // what lies below it is not.
            let du = try await Self.zk(address, ["du", "/t"])
            #expect(du.status == 6)
            #expect(du.text == "37\t5\t/t\n")
            #expect(du.errorText == Self.skipped)

            // An unreadable root: itself, then the line.
            let root = try await Self.zk(address, ["ls", "-R", "/t/a/secret"])
            #expect(root.status == 6)
            #expect(root.text == "/t/a/secret\n")
            #expect(root.errorText == Self.skipped)
        }
    }

    @Test(arguments: ShellTarget.allCases)
    func grepAndCopyReadTheRestAndNameTheSkippedSubtreeOnce(_ target: ShellTarget) async throws {
        try await target.withConnectString { address in
            try await Self.makeTree(address)
            let grep = try await Self.zk(address, ["grep", "needle", "/t"])
            #expect(grep.status == 6)
            #expect(grep.text == "/t/a:alpha needle\n/t/b:needle b\n")
            #expect(grep.errorText == Self.skipped)
            // Nothing found in what could be read: still 6, the failure outranks "no match".
            let none = try await Self.zk(address, ["grep", "-l", "absent", "/t"])
            #expect(none.status == 6 && none.text.isEmpty && none.errorText == Self.skipped)

            let file = FileManager.default.temporaryDirectory.appendingPathComponent("zk-cp-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: file) }
            let copy = try await Self.zk(address, ["cp", "/t", "json:" + file.path])
            #expect(copy.status == 6)
            #expect(copy.errorText == "copied 4 nodes\n" + Self.skipped)
            let backup = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [[String: Any]]
            #expect(backup?.compactMap { $0["path"] as? String } == ["", "/a", "/a/z", "/b"])
            #expect(backup?.compactMap { $0["data"] as? String } == ["top", "alpha needle", "z", "needle b"])
        }
    }

    /// deleteall deletes what it can: an unreadable node without children too (deleting it needs
    /// only its parent's permission), but one with children stays, and so do the nodes above it.
    @Test(arguments: ShellTarget.allCases)
    func deleteAllNamesTheUnreadableNodeItHadToLeave(_ target: ShellTarget) async throws {
        try await target.withConnectString { address in
            let zk = try await ZooKeeperClient.connect(address, configuration: SharedApacheZooKeeper.configuration())
            let denied = [ACL(permissions: .create, id: .anyone)]
            try await zk.create("/d")
            try await zk.create("/d/x")
            try await zk.create("/d/x/y")
            try await zk.create("/d/locked")
            try await zk.create("/d/locked/in")
            try await zk.setACL("/d/locked", acl: denied)
            try await zk.create("/d/sealed", acl: denied)

            let result = try await Self.zk(address, ["deleteall", "--force", "/d"])
            #expect(result.status == 6)
            #expect(
                result.errorText == "zk: /d/locked: not allowed to read (NoAuth); not deleted, nor the nodes above it\n"
            )
            #expect(try await zk.exists("/d/x") == nil)
            #expect(try await zk.exists("/d/sealed") == nil)
            #expect(try await zk.exists("/d/locked/in") != nil)
            #expect(try await zk.getChildren("/d") == ["locked"])
            try await zk.close()
        }
    }

    @Test func aNodeDeletedDuringTheWalkIsLeftOutWithoutAWord() async throws {
        try await ZooKeeperServer.withServer { server in
            let zk = try await ZooKeeperClient.connect(server.connectString)
            for path in ["/v", "/v/gone", "/v/gone/g", "/v/keep", "/v/keep/k"] { try await zk.create(path) }
            var levels = 0
            // The second level is listed after /v/gone went: the server answers NoNode for it.
            let walk = try await TreeCommand.walk("/v") { paths in
                levels += 1
                if levels == 2 { _ = try await zk.delete(["/v/gone/g", "/v/gone"]) }
                return try await zk.getChildren(paths)
            }
            #expect(levels == 3)
            #expect(walk.paths == ["/v", "/v/keep", "/v/keep/k"])
            #expect(walk.unreadable.isEmpty)
            try await zk.close()
        }
    }

    /// The reads after the walk (grep's data, du's stats, find --ephemeral) leave out a node gone
    /// meanwhile, note an unreadable one once, and throw any other failure.
    @Test func readsAfterTheWalkSkipGoneNodesAndNoteUnreadableOnes() throws {
        var walk = TreeWalk(entries: [])
        walk.skip("/b")
        let results: [Result<Int, ZooKeeperError>] = [
            .success(1), .failure(ZooKeeperError(.noNode, path: "/gone")),
            .failure(ZooKeeperError(.noAuth, path: "/b")),
            .failure(ZooKeeperError(.noAuth, path: "/c")), .success(2),
        ]
        let values = try walk.readable(["/a", "/gone", "/b", "/c", "/d"], results)
        #expect(values.map(\.path) == ["/a", "/d"])
        #expect(values.map(\.value) == [1, 2])
        #expect(walk.unreadable == ["/b", "/c"])
        #expect(throws: ZooKeeperError.self) {
            try walk.readable(
                ["/e"], [Result<Int, ZooKeeperError>.failure(ZooKeeperError(.connectionLoss, path: "/e"))])
        }
        #expect(throws: ZooKeeperError.self) { try walk.complete() }
        #expect(try TreeWalk(entries: [TreeCommand.Entry(path: "/", depth: 0)]).complete().map(\.path) == ["/"])
    }
}
