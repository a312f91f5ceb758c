import Foundation
import Testing
import ZooKeeper
import ZooKeeperRecipes
import ZooKeeperTestSupport

@Suite(.timeLimit(.minutes(3))) struct DistributedSemaphoreTests {
    @Test(arguments: Target.allCases)
    func neverMoreThanTheLeasesAreHeld(_ target: Target) async throws {
        try await target.run { connect, root in
            let holders = Occupancy()
            let served = Counter()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let semaphore = DistributedSemaphore(
                            client: try await connect(), path: root + "/sem", leases: 3)
                        for _ in 0..<5 {
                            let lease = try await semaphore.acquire()
                            holders.enter()
                            try await Task.sleep(for: .milliseconds(10))
                            holders.leave()
                            try await lease.release()
                            served.increment()
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(served.value == 40)
            #expect(holders.maximum <= 3)
            #expect(holders.maximum >= 1)
            #expect(
                try await DistributedSemaphore(client: try await connect(), path: root + "/sem", leases: 3).held() == 0)
        }
    }

    @Test(arguments: Target.allCases)
    func anAcquireTimesOutOrIsCancelledWithoutLeavingANode(_ target: Target) async throws {
        try await target.run { connect, root in
            let semaphore = DistributedSemaphore(client: try await connect(), path: root + "/sem", leases: 2)
            let a = try await semaphore.acquire(timeout: .seconds(20))
            let b = try await semaphore.acquire(timeout: .seconds(20))
            #expect(a != b)
            let other = DistributedSemaphore(client: try await connect(), path: root + "/sem", leases: 2)
            await #expect(throws: RecipeTimeout.self) { _ = try await other.acquire(timeout: .milliseconds(300)) }
            #expect(try await semaphore.held() == 2)
            #expect(try await semaphore.client.getChildren(root + "/sem/lock").isEmpty)
            // A cancelled acquire withdraws too.
            let waiting = Task { try await other.acquire() }
            try await eventually { try await semaphore.held() == 3 }
            waiting.cancel()
            await #expect(throws: CancellationError.self) { _ = try await waiting.value }
            #expect(try await semaphore.held() == 2)
            #expect(try await semaphore.client.getChildren(root + "/sem/lock").isEmpty)
            // A release lets the next acquirer in.
            let next = Task { try await other.acquire() }
            try await eventually { try await semaphore.held() == 3 }
            try await a.release()
            let c = try await next.value
            #expect(try await semaphore.held() == 2)
            try await b.release()
            try await c.release()
            #expect(try await semaphore.held() == 0)
        }
    }
}

/// How many are inside at once, and the most ever.
final class Occupancy: @unchecked Sendable {
    private let lock = NSLock()
    private var inside = 0
    private var most = 0
    func enter() {
        lock.withLock {
            inside += 1
            most = max(most, inside)
        }
    }
    func leave() { lock.withLock { inside -= 1 } }
    var maximum: Int { lock.withLock { most } }
}
