import Testing
import ZooKeeper
import ZooKeeperRecipes
import ZooKeeperServer

/// The Swift snippets of README.md, word for word (`SnippetDriftTests` checks that), each run
/// against the embedded server with what it assumes, and what it did checked.
@Suite(.timeLimit(.minutes(2))) struct ReadmeSnippetTests: SnippetSuite {
    typealias ZooKeeperClient = SnippetClient

    /// What the snippets print, and their calls of the functions they assume.
    let log = SnippetLog()

    // What the snippets call besides `print`: each call is recorded.
    func apply(_ path: String, _ value: [UInt8]) {
        log.record("apply \(path) \(String(decoding: value, as: UTF8.self))")
    }
    func remove(_ path: String) { log.record("remove \(path)") }
    func deductStock() async throws { log.record("deductStock") }
    func runScheduler() async throws { log.record("runScheduler") }
    func readCatalog() async throws { log.record("readCatalog") }

    // MARK: Using the library

    @Test func theClientInAFewLines() async throws {
        try await withSnippetServer { admin in
            try await admin.create("/myapp")

            let zk = try await ZooKeeperClient.connect("zk1:2181,zk2:2181,zk3:2181/myapp")
            try await zk.create("/config", data: "v1")  // String, [UInt8], Data or ByteBuffer
            let config = try await zk.getData("/config")
            print(try config.string)  // or config.data, or .decode(Settings.self)
            try await zk.setData("/config", data: "v2", version: config.stat.version)  // no lost update
            try await zk.close()

            #expect(log.lines == ["v1"])
            #expect(try await admin.getData("/myapp/config").data == Array("v2".utf8))
        }
    }

    // MARK: The coordination problems people bring to ZooKeeper

    @Test func namingService() async throws {
        try await withSnippetServer { zk in
            try await zk.ensurePath("/services/userService")
            try await zk.setData("/services/userService", data: Array("10.0.0.7:8080".utf8))

            // Naming service: resolve a name; an address change is one setData, no code change anywhere.
            let address = try await zk.getData("/services/userService").string

            #expect(address == "10.0.0.7:8080")
        }
    }

    @Test func configurationCentreSurvivesDeletionAndRecreation() async throws {
        try await withSnippetServer { zk in
            try await zk.ensurePath("/config/prod")
            try await zk.create("/config/prod/db", data: Array("db1".utf8))
            let loop = log.background {
                // Configuration centre: hear about every change below a node, deletions included (TreeCache,
                // below, also reads the subtree first, and again after a session expiry).
                let changes = try await zk.addWatch("/config/prod", mode: .persistentRecursive)
                for try await event in changes {  // NodeCreated / NodeDataChanged / NodeDeleted
                    do {
                        let value = try await zk.getData(event.path).data
                        apply(event.path, value)
                    } catch let error as ZooKeeperError where error.code == .noNode {
                        remove(event.path)  // deleted (perhaps since the event): forget it
                    }
                }
            }
            // Once the watch is set, a change is applied.
            try await log.until { lines in
                try await zk.setData("/config/prod/db", data: Array("db2".utf8))
                return lines.contains("apply /config/prod/db db2")
            }
            // A deletion is not the end of the loop, nor is the deletion of the watched node itself.
            try await zk.delete("/config/prod/db")
            try await log.until { $0.last == "remove /config/prod/db" }
            try await zk.create("/config/prod/db", data: Array("db3".utf8))
            try await log.until { $0.last == "apply /config/prod/db db3" }
            try await zk.delete("/config/prod/db")
            try await zk.delete("/config/prod")
            try await log.until { $0.last == "remove /config/prod" }
            try await zk.create("/config/prod", data: Array("prod".utf8))
            try await log.until { $0.last == "apply /config/prod prod" }
            try await zk.create("/config/prod/cache", data: Array("c1".utf8))
            try await log.until { $0.last == "apply /config/prod/cache c1" }
            loop.cancel()
            try await loop.value
        }
    }

    @Test func clusterMembership() async throws {
        try await withSnippetServer { zk in
            try await zk.create("/cluster")
            let membership = log.background {
                // Cluster membership: an ephemeral node lives exactly as long as the session.
                try await zk.create("/cluster/server-001", data: "10.0.0.1:8080", mode: .ephemeral)
                let cluster = try await zk.watchChildren("/cluster")
                print(cluster.children)  // the members now
                _ = try await cluster.watch.event()  // fires when a server joins or dies

                #expect(cluster.children == ["server-001"])
            }
            try await log.until { _ in try await zk.checkWatches("/cluster", type: .children) }
            let other = try await connectToSnippetServer()
            try await other.create("/cluster/server-002", mode: .ephemeral)
            try await membership.value
            #expect(try await zk.exists("/cluster/server-001")?.ephemeralOwner == (try await zk.session().id))
            try await other.close()
        }
    }

    @Test func masterElectionWhenNobodyLeads() async throws {
        try await withSnippetServer { zk in
            try await zk.create("/master")
            let myID = "node-1"

            // Master election: whoever creates the ephemeral node leads; the others watch it.
            do {
                try await zk.create("/master/leader", data: myID, mode: .ephemeral)
            } catch let error as ZooKeeperError where error.code == .nodeExists {
                let leader = try await zk.watchExists("/master/leader")
                _ = try await leader.watch.event()  // NodeDeleted: try again
            }

            #expect(try await zk.getData("/master/leader").data == Array("node-1".utf8))
        }
    }

    @Test func masterElectionWaitsUntilTheLeaderIsGone() async throws {
        try await withSnippetServer { zk in
            try await zk.create("/master")
            let incumbent = try await connectToSnippetServer()
            try await incumbent.create("/master/leader", data: "node-0", mode: .ephemeral)
            let myID = "node-1"
            let follower = log.background {
                // Master election: whoever creates the ephemeral node leads; the others watch it.
                do {
                    try await zk.create("/master/leader", data: myID, mode: .ephemeral)
                } catch let error as ZooKeeperError where error.code == .nodeExists {
                    let leader = try await zk.watchExists("/master/leader")
                    _ = try await leader.watch.event()  // NodeDeleted: try again
                }
            }
            try await log.until { _ in try await zk.checkWatches("/master/leader", type: .data) }
            try await incumbent.close()
            try await follower.value
            #expect(try await zk.exists("/master/leader") == nil)
        }
    }

    @Test func sequentialQueue() async throws {
        try await withSnippetServer { zk in
            try await zk.create("/queue")
            let payload = Array("resize image 42".utf8)

            // Queue: sequential nodes keep arrival order.
            let task = try await zk.create("/queue/task-", data: payload, mode: .persistentSequential).path
            // task == "/queue/task-0000000042"

            #expect(task == "/queue/task-0000000000")
            #expect(try await zk.getData(task).data == payload)
        }
    }

    @Test func atomicMultiStepUpdate() async throws {
        try await withSnippetServer { zk in
            try await zk.create("/stock")
            try await zk.create("/orders")
            let stockVersion = try await zk.create("/stock/product-123", data: Array("42".utf8)).stat.version
            let order = Array("product-123 x1".utf8)

            // Atomic multi-step update: all or nothing.
            try await zk.multi([
                .check("/stock/product-123", version: stockVersion),
                .setData("/stock/product-123", data: "41", version: stockVersion),
                .create("/orders/order-", data: order, mode: .persistentSequential),
            ])

            #expect(try await zk.getData("/stock/product-123").data == Array("41".utf8))
            #expect(try await zk.getChildren("/orders") == ["order-0000000000"])
        }
    }

    @Test func batchOfReads() async throws {
        try await withSnippetServer { zk in
            try await zk.create("/config")
            try await zk.create("/config/db", data: Array("postgres://db1".utf8))
            try await zk.create("/config/cache", data: Array("redis://cache1".utf8))

            // Batch: many requests of one kind sent back to back, one result each (not atomic); cheaper on
            // the client than one call per request. Also create, setData, delete, exists and getChildren.
            let configs = try await zk.getData(["/config/db", "/config/cache"])
            if case .success(let db) = configs[0] { print(try db.string) }

            #expect(log.lines == ["postgres://db1"])
            #expect(try configs[1].get().data == Array("redis://cache1".utf8))
        }
    }

    @Test func accessControlWithDigestCredentials() async throws {
        try await withSnippetServer { zk in
            // Access control with digest credentials.
            try await zk.addDigestAuth(user: "alice", password: "secret")
            try await zk.create("/secure", acl: [.digest(user: "alice", password: "secret")])

            #expect(try await zk.getData("/secure").data == [])
            let stranger = try await connectToSnippetServer()
            await #expect(throws: ZooKeeperError.self) { try await stranger.getData("/secure") }
            try await stranger.close()
        }
    }

    // MARK: Ready-made recipes

    @Test func distributedLock() async throws {
        try await withSnippetServer { zk in
            // Distributed lock: one holder at a time, waiters woken one by one (each watches its predecessor).
            try await DistributedLock(client: zk, path: "/locks/product-123").withLock(timeout: .seconds(10)) {
                try await deductStock()
            }

            #expect(log.lines == ["deductStock"])
            #expect(try await zk.getChildren("/locks/product-123") == [])
        }
    }

    @Test func leaderElection() async throws {
        try await withSnippetServer { zk in
            // Leader election: the body runs only while this process leads.
            try await LeaderElection(client: zk, path: "/election/scheduler", id: "node-1").lead {
                try await runScheduler()
            }

            #expect(log.lines == ["runScheduler"])
            #expect(try await zk.getChildren("/election/scheduler") == [])
        }
    }

    @Test func queueRecipe() async throws {
        try await withSnippetServer { zk in
            // Queue: each item is taken by exactly one consumer.
            let queue = DistributedQueue(client: zk, path: "/queue/tasks")
            try await queue.put("resize image 42")
            let task = try await queue.take()  // waits for an item

            #expect(task == Array("resize image 42".utf8))
            #expect(try await queue.count() == 0)
        }
    }

    @Test func counterCreatesItsNodeAndParents() async throws {
        try await withSnippetServer { zk in
            // Counter: compare-and-set on the node's version; no increment is lost.
            try await SharedCounter(client: zk, path: "/counters/visits").add(1)

            #expect(try await zk.getData("/counters/visits").data == Array("1".utf8))
        }
    }

    @Test func serviceRegistry() async throws {
        try await withSnippetServer { zk in
            let consumer = log.background {
                // Service registry: an ephemeral JSON node per instance, registered again after a session expiry.
                let registry = ServiceRegistry(client: zk)  // under /services
                let registration = try await registry.register(
                    ServiceInstance(name: "api", address: "10.0.0.5", port: 8080))
                for try await live in registry.updates(of: "api") { print(live.map(\.endpoint)) }

                #expect(registration.path.hasPrefix("/services/api/"))
            }
            try await log.until { $0 == [#"["10.0.0.5:8080"]"#] }
            let other = try await connectToSnippetServer()
            let second = try await ServiceRegistry(client: other).register(
                ServiceInstance(name: "api", address: "10.0.0.6", port: 8080))
            try await log.until { lines in
                lines.last.map { $0.contains("10.0.0.5:8080") && $0.contains("10.0.0.6:8080") } ?? false
            }
            try await second.unregister()
            try await log.until { $0.last == #"["10.0.0.5:8080"]"# }
            consumer.cancel()
            try await consumer.value
            try await other.close()
        }
    }

    @Test func treeCache() async throws {
        try await withSnippetServer { zk in
            try await zk.create("/config")
            try await zk.create("/config/db", data: Array("postgres://db1".utf8))

            // Caches kept current by one persistent (recursive) watch, re-read after reconnect or expiry.
            let config = TreeCache(client: zk, path: "/config")
            let changes = config.events()  // added / updated / removed, in order
            try await config.start()
            let everything = config.snapshot()  // path -> data and stat

            #expect(everything.keys.sorted() == ["/config", "/config/db"])
            #expect(everything["/config/db"]?.data == Array("postgres://db1".utf8))
            try await zk.setData("/config/db", data: Array("postgres://db2".utf8))
            var seen: [String] = []
            for await change in changes {
                seen.append("\(change.kind) \(change.path)")
                if change.kind == .updated { break }
            }
            #expect(seen == ["added /config", "added /config/db", "updated /config/db"])
            #expect(config.node(at: "/config/db")?.data == Array("postgres://db2".utf8))
            await config.close()
        }
    }

    @Test func doubleBarrier() async throws {
        try await withSnippetServer { _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        let zk = try await connectToSnippetServer()
                        // Barriers: wait while a node exists; or enter and leave together with N participants.
                        try await DoubleBarrier(client: zk, path: "/barriers/batch", count: 3).enter()

                        log.record("entered")
                        try await zk.close()
                    }
                }
                try await group.waitForAll()
            }
            #expect(log.lines == ["entered", "entered", "entered"])
        }
    }

    @Test func readWriteLockSemaphoreAndPriorityQueue() async throws {
        try await withSnippetServer { zk in
            // Read-write lock, semaphore with N leases (both with timeouts), priority queue.
            try await ReadWriteLock(client: zk, path: "/locks/catalog").withReadLock { try await readCatalog() }
            let lease = try await DistributedSemaphore(client: zk, path: "/semaphores/db", leases: 3).acquire(
                timeout: .seconds(5))
            try await DistributedPriorityQueue(client: zk, path: "/queue/jobs").put("urgent", priority: -10)

            #expect(log.lines == ["readCatalog"])
            #expect(try await DistributedSemaphore(client: zk, path: "/semaphores/db", leases: 3).held() == 1)
            try await lease.release()
            #expect(try await DistributedPriorityQueue(client: zk, path: "/queue/jobs").take() == Array("urgent".utf8))
        }
    }

    // MARK: The embedded server

    @Test func embeddedServerInTests() async throws {
        try await ZooKeeperServer.withServer { server in
            let zk = try await ZooKeeperClient.connect(server.connectString)
            // ...
            try await zk.create("/hello", data: Array("world".utf8))
            #expect(try await zk.getData("/hello").data == Array("world".utf8))
            try await zk.close()
        }
    }
}
