import Testing
import ZooKeeper
import ZooKeeperRecipes
import ZooKeeperServer

/// The Swift snippets of the documentation comments in `Sources`, word for word
/// (`SnippetDriftTests` checks that), each run against the embedded server with what it
/// assumes, and what it did checked.
@Suite(.timeLimit(.minutes(2))) struct DocCommentSnippetTests: SnippetSuite {
    typealias ZooKeeperClient = SnippetClient

    /// What the snippets print.
    let log = SnippetLog()

    // MARK: ZooKeeper

    @Test func zooKeeperClient() async throws {
        try await withSnippetServer { admin in
            let zk = try await ZooKeeperClient.connect("127.0.0.1:2181")
            try await zk.create("/config", data: "v1")
            let config = try await zk.getData("/config")
            print(try config.string, config.stat.version)
            try await zk.close()

            #expect(log.lines == ["v1 0"])
            #expect(try await admin.exists("/config") != nil)
        }
    }

    /// Also README.md's Secured clusters snippet.
    @Test func saslConfiguration() async throws {
        let password = "alice-secret"
        var server = ZooKeeperServer.Configuration(port: 0)
        server.saslUsers = ["alice": password]
        server.requireClientSASLAuth = true
        try await withSnippetServer(configuration: server) { _ in
            var configuration = ZooKeeperClient.Configuration()
            configuration.sasl = .digestMD5(username: "alice", password: password)
            let zk = try await ZooKeeperClient.connect("zk1:2181", configuration: configuration)

            // Logged in: the server admits the session's requests (it refuses them otherwise).
            #expect(try await zk.whoAmI().contains { $0.authScheme == "sasl" && $0.user == "alice" })
        }
    }

    @Test func zooKeeperClientStart() async throws {
        try await withSnippetServer { _ in
            var configuration = ZooKeeperClient.Configuration()
            configuration.requestTimeout = .seconds(5)
            let zk = try ZooKeeperClient.start("127.0.0.1:2181", configuration: configuration)

            // A request waits for the session.
            try await zk.create("/started")
            #expect(try await zk.session().state == .connected)
        }
    }

    @Test func waitUntilConnected() async throws {
        try await withSnippetServer { _ in
            let zk = try ZooKeeperClient.start("zk1:2181,zk2:2181")
            try await zk.waitUntilConnected(timeout: .seconds(30))

            #expect(try await zk.session().state == .connected)
        }
    }

    struct Limits: Codable, Equatable {
        var connections: Int
    }

    @Test func nodeDataDecodesJSON() async throws {
        try await withSnippetServer { zk in
            try await zk.create("/config")
            try await zk.create("/config/limits", data: #"{"connections": 100}"#)

            let limits = try await zk.getData("/config/limits").decode(Limits.self)

            #expect(limits == Limits(connections: 100))
        }
    }

    @Test func taskExecutor() async throws {
        try await withSnippetServer { zk in
            let paths = ["/a", "/b", "/c"]
            for path in paths { try await zk.create(path) }

            try await withTaskExecutorPreference(zk.taskExecutor) {
                for path in paths { try await zk.delete(path) }
            }

            #expect(try await zk.getChildren("/").sorted() == ["zookeeper"])
        }
    }

    @Test func batchCalls() async throws {
        try await withSnippetServer { zk in
            try await zk.create("/config")
            try await zk.create("/config/a", data: Array("1".utf8))
            try await zk.create("/config/b", data: Array("22".utf8))

            let results = try await zk.getData(["/config/a", "/config/b"])
            for case .success(let node) in results { print(node.data.count) }

            #expect(log.lines == ["1", "2"])
        }
    }

    @Test func ownershipLost() async throws {
        try await withSnippetServer { admin in
            try await admin.create("/workers")
            let zk = try await connectToSnippetServer()
            let working = log.background {
                let worker = try await zk.create("/workers/w-", mode: .ephemeralSequential)
                let lost = try await zk.ownershipLost(sessionID: worker.stat.ephemeralOwner, margin: .seconds(1))
                print("stop working: \(lost)")

                #expect(worker.path == "/workers/w-0000000000")
            }
            try await log.until { _ in try await admin.getChildren("/workers") == ["w-0000000000"] }
            try await zk.close()
            try await working.value
            #expect(log.lines.count == 1)
            #expect(log.lines.first?.hasPrefix("stop working: ") == true)
        }
    }

    // MARK: ZooKeeperServer

    @Test func zooKeeperServer() async throws {
        try await closingSnippetClients {
            var configuration = ZooKeeperServer.Configuration()
            configuration.port = 0
            let server = try await ZooKeeperServer.start(configuration: configuration)
            let zk = try await ZooKeeperClient.connect(server.connectString)
            // ...
            try await zk.create("/hello", data: Array("world".utf8))
            #expect(try await zk.getData("/hello").data == Array("world".utf8))
            try await zk.close()
            try await server.shutdown()
        }
    }

    // MARK: ZooKeeperRecipes

    @Test func distributedLock() async throws {
        try await withSnippetServer { zk in
            let lock = DistributedLock(client: zk, path: "/locks/product-123")
            try await lock.withLock {
                // only one process runs this at a time
            }

            #expect(!lock.isHeld)
            #expect(try await zk.getChildren("/locks/product-123") == [])
        }
    }

    @Test func readWriteLock() async throws {
        try await withSnippetServer { zk in
            let lock = ReadWriteLock(client: zk, path: "/locks/catalog")
            try await lock.withReadLock { /* many processes at once */  }
            try await lock.withWriteLock { /* one process alone */  }

            #expect(try await zk.getChildren("/locks/catalog") == [])
        }
    }

    @Test func distributedSemaphore() async throws {
        try await withSnippetServer { zk in
            do {
                let semaphore = DistributedSemaphore(client: zk, path: "/semaphores/db", leases: 3)
                let lease = try await semaphore.acquire(timeout: .seconds(10))
                defer { Task { try await lease.release() } }

                #expect(try await semaphore.held() == 1)
            }
            // The deferred release.
            try await log.until { _ in
                try await DistributedSemaphore(client: zk, path: "/semaphores/db", leases: 3).held() == 0
            }
        }
    }

    @Test func leaderElection() async throws {
        try await withSnippetServer { zk in
            let election = LeaderElection(client: zk, path: "/election/scheduler", id: "node-1")
            try await election.lead {
                // runs only while this process is the leader
            }

            #expect(election.fencingToken == nil)
            #expect(try await election.candidates() == [])
        }
    }

    @Test func barrier() async throws {
        try await withSnippetServer { zk in
            let passing = log.background {
                let barrier = Barrier(client: zk, path: "/barriers/deploy")
                try await barrier.set()  // the coordinator raises it
                try await barrier.wait()  // workers block until...
                try await barrier.remove()  // ...the coordinator lowers it
            }
            // Here the coordinator is this test, lowering the barrier once the snippet waits at it.
            try await log.until { _ in try await zk.checkWatches("/barriers/deploy", type: .data) }
            try await zk.delete("/barriers/deploy")
            try await passing.value
            #expect(try await zk.exists("/barriers/deploy") == nil)
        }
    }

    @Test func doubleBarrier() async throws {
        try await withSnippetServer { _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        let zk = try await connectToSnippetServer()
                        let barrier = DoubleBarrier(client: zk, path: "/barriers/batch-7", count: 3)
                        try await barrier.enter()  // returns once three participants are in
                        // ... the computation ...
                        try await barrier.leave()  // returns once all three are done

                        log.record("left")
                    }
                }
                try await group.waitForAll()
            }
            #expect(log.lines == ["left", "left", "left"])
        }
    }

    @Test func distributedPriorityQueue() async throws {
        try await withSnippetServer { zk in
            let queue = DistributedPriorityQueue(client: zk, path: "/queues/jobs")
            try await queue.put("urgent", priority: -10)
            let next = try await queue.take()

            #expect(next == Array("urgent".utf8))
        }
    }

    @Test func sharedCounter() async throws {
        try await withSnippetServer { zk in
            let visits = SharedCounter(client: zk, path: "/counters/visits")
            try await visits.add(1)
            let total = try await visits.value()

            #expect(total == 1)
        }
    }

    @Test func serviceRegistry() async throws {
        try await withSnippetServer { zk in
            let registry = ServiceRegistry(client: zk)
            let registration = try await registry.register(
                ServiceInstance(name: "api", address: "10.0.0.5", port: 8080))
            let live = try await registry.instances(of: "api")  // the instance just registered
            try await registration.unregister()  // or end the session

            #expect(live.map(\.endpoint) == ["10.0.0.5:8080"])
            #expect(try await registry.instances(of: "api") == [])
            let other = try await connectToSnippetServer()
            _ = try await ServiceRegistry(client: other).register(
                ServiceInstance(name: "api", address: "10.0.0.6", port: 8080))
            let watching = log.background {
                // Elsewhere: the live instances now, then after every change, until the task is cancelled.
                for try await snapshot in registry.updates(of: "api") { print(snapshot.map(\.endpoint)) }
            }
            try await log.until { $0 == [#"["10.0.0.6:8080"]"#] }
            try await other.close()
            try await log.until { $0 == [#"["10.0.0.6:8080"]"#, "[]"] }
            watching.cancel()
            try await watching.value
        }
    }

    @Test func nodeCache() async throws {
        try await withSnippetServer { zk in
            try await zk.create("/config")
            try await zk.create("/config/feature-flags", data: Array("on".utf8))
            let watching = log.background {
                let cache = NodeCache(client: zk, path: "/config/feature-flags")
                let changes = cache.events()
                try await cache.start()
                print(cache.current?.data ?? [])
                for await change in changes { print(change.kind, change.node.data) }
            }
            try await log.until { $0.contains("\(Array("on".utf8))") }
            try await zk.setData("/config/feature-flags", data: Array("off".utf8))
            try await log.until { $0.last == "updated \(Array("off".utf8))" }
            watching.cancel()
            try await watching.value
        }
    }

    @Test func treeCache() async throws {
        try await withSnippetServer { zk in
            try await zk.create("/config")
            try await zk.create("/config/db", data: Array("postgres://db1".utf8))
            let watching = log.background {
                let cache = TreeCache(client: zk, path: "/config")
                let changes = cache.events()
                try await cache.start()
                let everything = cache.snapshot()  // path -> node
                for await change in changes { print(change.kind, change.path) }

                #expect(everything.keys.sorted() == ["/config", "/config/db"])
            }
            try await log.until { $0 == ["added /config", "added /config/db"] }
            try await zk.create("/config/cache")
            try await log.until { $0.last == "added /config/cache" }
            watching.cancel()
            try await watching.value
        }
    }
}
