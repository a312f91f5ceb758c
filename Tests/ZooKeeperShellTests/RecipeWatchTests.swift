import Foundation
import Testing
import ZooKeeper
import ZooKeeperRecipes
import ZooKeeperServer
import ZooKeeperTestSupport

/// Which nodes the waiting contenders of a recipe watch, read from the server (with `zk 4lw wchp`,
/// or its test hook where children watches count too): a release must wake only those it lets in
/// (no herd).
@Suite(.timeLimit(.minutes(3))) struct RecipeWatchTests {
    @Test(arguments: ["embedded", "apache"])
    func readWriteWaitersWatchOnlyTheirRelevantPredecessor(_ target: String) async throws {
        if target == "apache" {
            return try await check(
                try await SharedApacheZooKeeper.connectString(), root: "/rw-\(UUID().uuidString.prefix(8))")
        }
        var configuration = ZooKeeperServer.Configuration(port: 0)
        configuration.fourLetterWordWhitelist = ["*"]
        try await ZooKeeperServer.withServer(configuration: configuration) { server in
            try await check(server.connectString, root: "/rw")
        }
    }

    @Test func semaphoreWaitersWatchOnlyTheirPredecessorAndOneWatchesTheLeases() async throws {
        var configuration = ZooKeeperServer.Configuration(port: 0)
        configuration.fourLetterWordWhitelist = ["*"]
        try await ZooKeeperServer.withServer(configuration: configuration) { server in
            let observer = try await ZooKeeperClient.connect(server.connectString)
            let opened = OpenedClients()
            func semaphore() async throws -> DistributedSemaphore {
                let client = try await ZooKeeperClient.connect(server.connectString)
                opened.append(client)
                return DistributedSemaphore(client: client, path: "/sem", leases: 2)
            }
            /// Sessions watching each path, data and children watches alike (`wchp` shows Apache's
            /// data watches only, not the children watch on the leases).
            func watchers() async throws -> [String: Int] {
                var counts: [String: Int] = [:]
                for watch in try await server.watches() { counts[watch.path, default: 0] += 1 }
                return counts
            }
            let held = [try await semaphore().acquire(), try await semaphore().acquire()]
            var waiting: [Task<Lease, Error>] = []
            for index in 0..<3 {
                let contender = try await semaphore()
                waiting.append(Task { try await contender.acquire() })
                // One waiter holds the acquisition lock and watches the leases; the others queue.
                try await eventually {
                    let queued = try? await observer.getChildren("/sem/lock").count
                    let leases = try? await observer.getChildren("/sem/leases").count
                    return queued == index + 1 && leases == 3
                }
            }
            let lock = try await observer.getChildren("/sem/lock").sorted { $0.suffix(10) < $1.suffix(10) }
            try await eventually {
                try await watchers() == ["/sem/leases": 1, "/sem/lock/" + lock[0]: 1, "/sem/lock/" + lock[1]: 1]
            }
            // A release lets exactly the lock's holder in; the next in line takes over the watch.
            try await held[0].release()
            let first = try await waiting[0].value
            try await eventually {
                let queued = try await observer.getChildren("/sem/lock").count
                let watched = try await watchers()
                return queued == 2 && watched == ["/sem/leases": 1, "/sem/lock/" + lock[1]: 1]
            }
            for lease in [held[1], first] { try await lease.release() }
            for task in waiting.dropFirst() { try await task.value.release() }
            #expect(try await observer.getChildren("/sem/leases").isEmpty)
            await opened.closeAll()
            try await observer.close()
        }
    }

    private func check(_ address: String, root: String) async throws {
        let observer = try await ZooKeeperClient.connect(address)
        let opened = OpenedClients()
        func lock() async throws -> ReadWriteLock {
            let client = try await ZooKeeperClient.connect(address)
            opened.append(client)
            return ReadWriteLock(client: client, path: root)
        }
        /// The number of sessions watching each contender, by position in the queue (0 first).
        func watchers() async throws -> [Int: Int] {
            let contenders = try await observer.getChildren(root).sorted { $0.suffix(10) < $1.suffix(10) }
            let text = try await ShellCommandTests.zk(["-s", address, "4lw", "wchp"]).text
            var counts: [Int: Int] = [:]
            var current: Int?
            for line in text.split(separator: "\n") {
                if line.hasPrefix("\t") {
                    if let current { counts[current, default: 0] += 1 }
                } else {
                    current = contenders.firstIndex { root + "/" + $0 == line }
                }
            }
            return counts
        }
        // In line: writer 0 (holds), readers 1 and 2, writer 3, readers 4 and 5.
        let writer0 = try await lock().acquireWrite()
        var waiting: [Task<Lease, Error>] = []
        for (index, isWriter) in [false, false, true, false, false].enumerated() {
            let contender = try await lock()
            waiting.append(Task { try await isWriter ? contender.acquireWrite() : contender.acquireRead() })
            try await eventually { try await observer.getChildren(root).count == index + 2 }
        }
        // Readers watch the nearest writer before them, a writer its immediate predecessor.
        try await eventually { try await watchers() == [0: 2, 2: 1, 3: 2] }
        // The writer's release lets both readers in; the rest still wait as before.
        try await writer0.release()
        let reader1 = try await waiting[0].value
        let reader2 = try await waiting[1].value
        try await eventually { try await watchers() == [1: 1, 2: 2] }
        try await reader1.release()
        try await eventually { try await watchers() == [0: 1, 1: 2] }
        try await reader2.release()
        let writer3 = try await waiting[2].value
        try await eventually { try await watchers() == [0: 2] }
        try await writer3.release()
        for task in waiting.dropFirst(3) { try await task.value.release() }
        #expect(try await observer.getChildren(root).isEmpty)
        await opened.closeAll()
        try await observer.close()
    }
}
