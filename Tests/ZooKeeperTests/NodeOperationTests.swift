import Foundation
import Testing
import ZooKeeper
import ZooKeeperTestSupport

/// Node operations against a real Apache ZooKeeper, each test under its own chroot.
@Suite(.timeLimit(.minutes(3))) struct NodeOperationTests {
    @Test func createReadUpdateDelete() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, _ in
            let result = try await zk.create("/config", data: "v1".bytes)
            let (path, created) = (result.path, result.stat)
            #expect(path == "/config")
            #expect(created.version == 0 && created.dataLength == 2 && created.czxid == created.mzxid)
            let node = try await zk.getData("/config")
            let (data, stat) = (node.data, node.stat)
            #expect(data == "v1".bytes && stat == created)
            let updated = try await zk.setData("/config", data: "v2".bytes, version: 0)
            #expect(updated.version == 1 && updated.mzxid > created.mzxid && updated.czxid == created.czxid)
            await #expect(throws: ZooKeeperError(.badVersion, path: "/config")) {
                try await zk.setData("/config", data: "v3".bytes, version: 0)
            }
            #expect(try await zk.exists("/config")?.version == 1)
            try await zk.delete("/config", version: 1)
            #expect(try await zk.exists("/config") == nil)
        }
    }

    @Test func errorsCarryTheCodeAndPath() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, _ in
            try await zk.create("/a")
            try await zk.create("/a/b")
            await #expect(throws: ZooKeeperError(.nodeExists, path: "/a")) { try await zk.create("/a") }
            await #expect(throws: ZooKeeperError(.noNode, path: "/missing/child")) {
                try await zk.create("/missing/child")
            }
            await #expect(throws: ZooKeeperError(.notEmpty, path: "/a")) { try await zk.delete("/a") }
            await #expect(throws: ZooKeeperError(.noNode, path: "/nope")) { try await zk.getData("/nope") }
            let error = await #expect(throws: ZooKeeperError.self) { try await zk.getData("relative") }
            #expect(error?.code == .badArguments)
            try await zk.create("/eph", mode: .ephemeral)
            await #expect(throws: ZooKeeperError(.noChildrenForEphemerals, path: "/eph/child")) {
                try await zk.create("/eph/child")
            }
        }
    }

    @Test func childrenAndParentStat() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, _ in
            try await zk.create("/p")
            for name in ["x", "y", "z"] { try await zk.create("/p/\(name)") }
            try await zk.delete("/p/y")
            #expect(try await zk.getChildren("/p").sorted() == ["x", "z"])
            let listing = try await zk.getChildrenAndStat("/p")
            let (children, stat) = (listing.children, listing.stat)
            #expect(children.sorted() == ["x", "z"])
            #expect(stat.numChildren == 2)
            // The visible cversion rises with each child create and delete.
            #expect(stat.cversion == 4)
            #expect(try await zk.getAllChildrenNumber("/p") == 2)
        }
    }

    @Test func sequentialNamesAreZeroPaddedAndRelativeToTheChroot() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, _ in
            try await zk.create("/q")
            var names: [String] = []
            for _ in 0..<3 { names.append(try await zk.create("/q/item-", mode: .persistentSequential).path) }
            #expect(names == ["/q/item-0000000000", "/q/item-0000000001", "/q/item-0000000002"])
            let bare = try await zk.create("/q/", mode: .persistentSequential).path
            #expect(bare == "/q/0000000003")
        }
    }

    @Test func binaryAndEmptyDataRoundTrip() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, _ in
            let bytes = (0..<256).map { UInt8($0) } + [0, 0xFF]
            try await zk.create("/bin", data: bytes)
            #expect(try await zk.getData("/bin").data == bytes)
            try await zk.create("/empty")
            #expect(try await zk.getData("/empty").data == [])
        }
    }

    @Test func ephemeralNodesLiveWithTheirSession() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, connect in
            let member = try await connect()
            try await zk.create("/cluster")
            let stat = try await member.create(
                "/cluster/server-001", data: "10.0.0.1:8080".bytes, mode: .ephemeral
            ).stat
            let session = try await member.session()
            #expect(stat.ephemeralOwner == session.id)
            #expect(try await member.getEphemerals(prefix: "/cluster") == ["/cluster/server-001"])
            #expect(try await zk.getEphemerals().isEmpty)
            let watch = try await zk.watchChildren("/cluster").watch
            try await member.close()
            let event = try await watch.event()
            #expect(event == WatchedEvent(type: .nodeChildrenChanged, path: "/cluster"))
            #expect(try await zk.getChildren("/cluster").isEmpty)
        }
    }

    @Test func oversizedRequestIsRefusedWithoutHarmingTheConnection() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, _ in
            let error = await #expect(throws: ZooKeeperError.self) {
                try await zk.create("/big", data: [UInt8](repeating: 1, count: 1_048_576))
            }
            #expect(error?.code == .badArguments)
            let stat = try await zk.create("/fits", data: [UInt8](repeating: 1, count: 1_000_000)).stat
            #expect(stat.dataLength == 1_000_000)
            #expect(try await zk.session().state == .connected)
        }
    }

    @Test func containerAndTTLNodes() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, _ in
            let container = try await zk.create("/c", mode: .container).stat
            #expect(container.ephemeralOwner == 0)
            let path = try await zk.create("/ttl-", mode: .persistentSequentialWithTTL, ttl: .seconds(60)).path
            #expect(path == "/ttl-0000000001")
            await #expect(throws: ZooKeeperError.self) { try await zk.create("/nottl", mode: .persistentWithTTL) }
        }
    }

    @Test func syncWhoAmIAndConfig() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, _ in
            try await zk.sync("/")
            let identities = try await zk.whoAmI()
            #expect(identities.contains { $0.authScheme == "ip" && $0.user == "127.0.0.1" })
            // Standalone servers have an empty dynamic config node.
            _ = try await zk.getConfig()
        }
    }

    @Test func pipelinedRequestsAnswerInOrder() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, _ in
            try await zk.create("/many")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<500 {
                    group.addTask { try await zk.create("/many/n\(index)", data: "\(index)".bytes) }
                }
                try await group.waitForAll()
            }
            #expect(try await zk.getAllChildrenNumber("/many") == 500)
            let values = try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
                for index in 0..<500 { group.addTask { (index, try await zk.getData("/many/n\(index)").data) } }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            #expect(values.allSatisfy { $0.value == "\($0.key)".bytes })
        }
    }
    @Test func tasksOnTheClientsExecutorPipelineOnItsThread() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, _ in
            try await zk.create("/many")
            func thread() -> UInt { UInt(pthread_self()) }
            let threads = try await withThrowingTaskGroup(of: [UInt].self) { group in
                for index in 0..<200 {
                    group.addTask(executorPreference: zk.taskExecutor) {
                        let start = thread()
                        try await zk.create("/many/n\(index)", data: "\(index)".bytes)
                        let created = thread()
                        #expect(try await zk.getData("/many/n\(index)").data == "\(index)".bytes)
                        return [start, created, thread()]
                    }
                }
                return try await group.reduce(into: Set<UInt>()) { $0.formUnion($1) }
            }
            // Every request went out, and every reply resumed its task, on the client's I/O thread.
            #expect(threads.count == 1)
            #expect(Set(try await zk.getChildren("/many")) == Set((0..<200).map { "n\($0)" }))
        }
    }
}
