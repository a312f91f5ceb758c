import Foundation
import Synchronization
import Testing
import ZooKeeper
import ZooKeeperRecipes
import ZooKeeperTestSupport

/// A task cancelled while it waits in a recipe or on a watch throws `CancellationError` and leaves
/// nothing behind: no contender node in anyone's way, no watch on the server.
@Suite(.timeLimit(.minutes(3))) struct CancellationTests {
    enum Waiter: String, CaseIterable, Sendable {
        case lock, writeLock, semaphore, election

        /// Holds the recipe at `path` through `zk` until `release` returns.
        func hold(_ zk: ZooKeeperClient, _ path: String, until release: @Sendable () async throws -> Void)
            async throws
        {
            switch self {
            case .lock: try await DistributedLock(client: zk, path: path).withLock(release)
            case .writeLock: try await ReadWriteLock(client: zk, path: path).withWriteLock(release)
            case .semaphore: try await DistributedSemaphore(client: zk, path: path, leases: 1).withLease(release)
            case .election: try await LeaderElection(client: zk, path: path, id: "x").lead(release)
            }
        }

        /// The node whose children are the contenders.
        func contenders(_ path: String) -> String { self == .semaphore ? path + "/leases" : path }
    }

    @Test(arguments: Target.allCases, Waiter.allCases)
    func aCancelledWaiterLeavesNothingInTheWay(_ target: Target, _ waiter: Waiter) async throws {
        try await target.run { connect, root in
            let (holder, waiting, third) = (try await connect(), try await connect(), try await connect())
            try await holder.create(root)
            let path = root + "/recipe"
            let (held, release) = AsyncStream<Void>.makeStream()
            let holding = Task {
                try await waiter.hold(holder, path) {
                    release.yield()
                    try await Task.sleep(for: .seconds(600))
                }
            }
            for await _ in held { break }
            let cancelled = Task { try await waiter.hold(waiting, path) {} }
            try await eventually(within: .seconds(30)) {
                try await holder.getChildren(waiter.contenders(path)).count == 2
            }
            cancelled.cancel()
            await #expect(throws: CancellationError.self) { try await cancelled.value }
            try await eventually(within: .seconds(30)) {
                try await holder.getChildren(waiter.contenders(path)).count == 1
            }
            // The holder lets go: the third client gets in at once, nobody stands in its way.
            holding.cancel()
            _ = await holding.result
            // A stray contender in its way would keep it out.
            try await withTimeout(.seconds(30), waitingFor: "the third client to take the lock") {
                try await waiter.hold(third, path) {}
            }
        }
    }

    @Test(arguments: Target.allCases)
    func barriersAndQueuesCancelCleanly(_ target: Target) async throws {
        try await target.run { connect, root in
            let (zk, other) = (try await connect(), try await connect())
            try await zk.create(root)
            // A barrier: its wait is a watch, removed with the cancellation.
            let barrier = Barrier(client: zk, path: root + "/barrier")
            _ = try await barrier.set()
            let passing = Task { try await barrier.wait() }
            try await eventually(within: .seconds(30)) { try await zk.checkWatches(root + "/barrier", type: .data) }
            passing.cancel()
            await #expect(throws: CancellationError.self) { try await passing.value }
            try await eventually(within: .seconds(30)) {
                try await !zk.checkWatches(root + "/barrier", type: .data)
            }
            // A double barrier: the participant's node is withdrawn.
            let entering = Task { try await DoubleBarrier(client: zk, path: root + "/double", count: 2).enter() }
            try await eventually(within: .seconds(30)) {
                (try? await other.getChildren(root + "/double").count) == 1
            }
            entering.cancel()
            await #expect(throws: CancellationError.self) { try await entering.value }
            try await eventually(within: .seconds(30)) { try await other.getChildren(root + "/double").isEmpty }
            // A queue: no watch left, and the next item goes to the next taker.
            let queue = DistributedQueue(client: zk, path: root + "/queue")
            let taking = Task { try await queue.take() }
            try await eventually(within: .seconds(30)) {
                (try? await zk.checkWatches(root + "/queue", type: .children)) == true
            }
            taking.cancel()
            await #expect(throws: CancellationError.self) { try await taking.value }
            try await eventually(within: .seconds(30)) {
                try await !zk.checkWatches(root + "/queue", type: .children)
            }
            _ = try await DistributedQueue(client: other, path: root + "/queue").put(Array("job".utf8))
            #expect(try await queue.take() == Array("job".utf8))
        }
    }

    @Test(arguments: Target.allCases)
    func aCancelledWatchConsumerRemovesTheServersWatch(_ target: Target) async throws {
        try await target.run { connect, root in
            let zk = try await connect()
            try await zk.create(root)
            // One-shot: event() cancelled.
            let watch = try await zk.watchData(root).watch
            let waiting = Task { try await watch.event() }
            try await Task.sleep(for: .milliseconds(50))
            waiting.cancel()
            await #expect(throws: CancellationError.self) { try await waiting.value }
            try await eventually(within: .seconds(30)) { try await !zk.checkWatches(root, type: .data) }
            // Persistent: a `for try await` loop cancelled.
            let persistent = try await zk.addWatch(root, mode: .persistent)
            #expect(try await zk.checkWatches(root, type: .any))
            let looping = Task { for try await _ in persistent {} }
            looping.cancel()
            await #expect(throws: CancellationError.self) { try await looping.value }
            try await eventually(within: .seconds(30)) { try await !zk.checkWatches(root, type: .any) }
        }
    }
}

/// One `DistributedLock` shared by several tasks of a process: they take turns, as separate
/// instances would, instead of failing with "already held here".
@Suite(.timeLimit(.minutes(3))) struct SharedLockInstanceTests {
    @Test(arguments: Target.allCases)
    func tasksSharingALockTakeTurns(_ target: Target) async throws {
        try await target.run { connect, root in
            let zk = try await connect()
            try await zk.create(root)
            let lock = DistributedLock(client: zk, path: root + "/lock")
            let critical = CriticalSection()
            let entries = Entries()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        for _ in 0..<3 {
                            try await lock.withLock {
                                critical.enter()
                                entries.count.withLock { $0 += 1 }
                                try await Task.sleep(for: .milliseconds(5))
                                critical.leave()
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(critical.overlaps == 0)
            #expect(entries.count.withLock { $0 } == 12)
            #expect(try await zk.getChildren(root + "/lock").isEmpty)
            // A task waiting for its turn here can be cancelled, and gives its place up.
            try await lock.acquire()
            let waiting = Task { try await lock.acquire() }
            try await Task.sleep(for: .milliseconds(50))
            waiting.cancel()
            await #expect(throws: CancellationError.self) { try await waiting.value }
            try await lock.release()
            try await lock.withLock {}
        }
    }
}

/// How many times the critical section was entered.
private final class Entries: Sendable {
    let count = Mutex(0)
}
