import Testing
import ZooKeeper
import ZooKeeperRecipes
import ZooKeeperServer
import ZooKeeperTestSupport

/// The Swift snippets of the DocC articles (`Sources/*/*.docc/*.md`), word for word
/// (`SnippetDriftTests` checks that), each run against the embedded server with what it
/// assumes, and what it did checked. The article's snippets that README.md has too are run by
/// `ReadmeSnippetTests`.
@Suite(.timeLimit(.minutes(2))) struct ArticleSnippetTests: SnippetSuite {
    typealias ZooKeeperClient = SnippetClient

    /// What the snippets print, and their calls of the functions they assume.
    let log = SnippetLog()

    // What the snippets call besides `print`: each call is recorded.
    func buildReport() async throws { log.record("buildReport") }
    func reregisterEverything() { log.record("reregisterEverything") }

    // MARK: ZooKeeper.md

    @Test func overviewOfTheClient() async throws {
        try await withSnippetServer { admin in
            try await admin.create("/myapp")

            let zk = try await ZooKeeperClient.connect("zk1:2181,zk2:2181,zk3:2181/myapp")
            try await zk.create("/config", data: "v1")
            let config = try await zk.getData("/config")
            try await zk.setData("/config", data: "v2", version: config.stat.version)
            try await zk.close()

            #expect(config.data == Array("v1".utf8))
            #expect(try await admin.getData("/myapp/config").data == Array("v2".utf8))
        }
    }

    // MARK: GettingStarted.md

    @Test func connect() async throws {
        try await withSnippetServer { admin in
            try await admin.create("/myapp")
            do {
                var configuration = ZooKeeperClient.Configuration()
                configuration.sessionTimeout = .seconds(10)
                let zk = try await ZooKeeperClient.connect(
                    "zk1:2181,zk2:2181,zk3:2181/myapp", configuration: configuration)
                defer { Task { _ = try? await zk.close() } }

                #expect(zk.chroot == "/myapp")
                #expect(try await zk.session().timeout == .seconds(10))
                try await zk.create("/member", mode: .ephemeral)
            }
            // The deferred close ends the session: its ephemeral node goes.
            try await log.until { _ in try await admin.exists("/myapp/member") == nil }
        }
    }

    @Test func readAndWrite() async throws {
        try await withSnippetServer { zk in
            try await zk.create("/config")

            try await zk.create("/config/db", data: "postgres://db1")
            let db = try await zk.getData("/config/db")
            print(try db.string)  // postgres://db1
            do {
                try await zk.setData("/config/db", data: "postgres://db2", version: db.stat.version)
            } catch let error as ZooKeeperError where error.code == .badVersion {
                // somebody else changed it first: read again and retry
            }
            let children = try await zk.getChildren("/config")

            #expect(log.lines == ["postgres://db1"])
            #expect(children == ["db"])
            #expect(try await zk.getData("/config/db").data == Array("postgres://db2".utf8))
        }
    }

    @Test func ephemeralAndSequentialNodes() async throws {
        try await withSnippetServer { zk in
            try await zk.create("/members")
            try await zk.create("/queue")
            let payload = Array("resize image 42".utf8)

            try await zk.create("/members/worker-1", data: [], mode: .ephemeral)
            let path = try await zk.create("/queue/task-", data: payload, mode: .persistentSequential).path

            #expect(try await zk.exists("/members/worker-1")?.ephemeralOwner == (try await zk.session().id))
            #expect(path == "/queue/task-0000000000")
        }
    }

    @Test func batchCalls() async throws {
        try await withSnippetServer { zk in
            try await zk.create("/config")
            try await zk.create("/config/db", data: Array("postgres://db1".utf8))
            try await zk.create("/config/cache", data: Array("redis://cache1".utf8))

            let results = try await zk.getData(["/config/db", "/config/cache", "/config/missing"])
            for case .success(let node) in results { print(try node.string) }
            // results[2] is .failure(ZooKeeperError(.noNode, path: "/config/missing"))

            #expect(log.lines == ["postgres://db1", "redis://cache1"])
            #expect(throws: ZooKeeperError(.noNode, path: "/config/missing")) { try results[2].get() }
        }
    }

    @Test func oneShotWatch() async throws {
        try await withSnippetServer { zk in
            try await zk.create("/config")
            try await zk.create("/config/db", data: Array("postgres://db1".utf8))
            let watching = log.background {
                let db = try await zk.watchData("/config/db")  // the data and stat now, and the watch
                _ = try await db.watch.event()  // the next NodeDataChanged or NodeDeleted

                #expect(db.data == Array("postgres://db1".utf8))
            }
            try await log.until { _ in try await zk.checkWatches("/config/db", type: .data) }
            try await zk.setData("/config/db", data: Array("postgres://db2".utf8))
            try await watching.value
        }
    }

    @Test func persistentRecursiveWatch() async throws {
        try await withSnippetServer { zk in
            try await zk.create("/config")
            let watching = log.background {
                let subtree = try await zk.addWatch("/config", mode: .persistentRecursive)
                for try await event in subtree {
                    print(event.type, event.path)
                }
            }
            try await log.until { lines in
                try await zk.setData("/config", data: [1])
                return !lines.isEmpty
            }
            try await zk.create("/config/db")
            try await zk.setData("/config/db", data: [1])
            try await zk.delete("/config/db")
            try await log.until { $0.last == "NodeDeleted /config/db" }
            #expect(
                log.lines.suffix(3) == [
                    "NodeCreated /config/db", "NodeDataChanged /config/db", "NodeDeleted /config/db",
                ])
            watching.cancel()
            try await watching.value
        }
    }

    @Test func connectionLossAndExpiry() async throws {
        try await Target.embedded.runExpiring { zk, connect, _, expire, _ in
            let observing = log.background {
                for await state in zk.states() {
                    if state == .expired { reregisterEverything() }
                }
            }
            try await zk.create("/member", mode: .ephemeral)
            let observer = try await connect()
            try await expire { try await observer.exists("/member") == nil }
            try await log.until { $0 == ["reregisterEverything"] }
            observing.cancel()
            try await observing.value
        }
    }

    // MARK: ZooKeeperRecipes.md

    @Test func overviewOfTheRecipes() async throws {
        try await withSnippetServer { _ in
            let zk = try await ZooKeeperClient.connect("zk1:2181,zk2:2181,zk3:2181")
            try await DistributedLock(client: zk, path: "/locks/nightly-report").withLock(timeout: .seconds(30)) {
                try await buildReport()
            }

            #expect(log.lines == ["buildReport"])
            #expect(try await zk.getChildren("/locks/nightly-report") == [])
        }
    }

    // MARK: ZooKeeperServer.md

    @Test func overviewOfTheServer() async throws {
        try await closingSnippetClients {
            try await ZooKeeperServer.withServer { server in
                let zk = try await ZooKeeperClient.connect(server.connectString)
                try await zk.create("/hello", data: "world")
            }
        }
    }
}
