import Synchronization
import Testing
import ZooKeeper
import ZooKeeperRecipes
import ZooKeeperTestSupport

@Suite(.timeLimit(.minutes(3))) struct BarrierTests {
    @Test(arguments: Target.allCases)
    func waitersPassOnlyOnceTheBarrierIsRemoved(_ target: Target) async throws {
        try await target.run { connect, root in
            let coordinator = Barrier(client: try await connect(), path: root + "/barrier")
            #expect(try await coordinator.set())
            #expect(try await !coordinator.set())
            #expect(try await coordinator.isSet())
            let passed = Counter()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        try await Barrier(client: try await connect(), path: root + "/barrier").wait()
                        passed.increment()
                    }
                }
                // A bounded wait gives up while the barrier is up.
                await #expect(throws: RecipeTimeout.self) {
                    try await Barrier(client: try await connect(), path: root + "/barrier").wait(
                        timeout: .milliseconds(300))
                }
                #expect(passed.value == 0)
                try await coordinator.remove()
                try await group.waitForAll()
            }
            #expect(passed.value == 3)
            // Down, it lets anyone through at once.
            try await coordinator.wait()
            try await coordinator.remove()
        }
    }

    @Test(arguments: Target.allCases)
    func participantsEnterOnlyWhenAllHaveArrivedAndLeaveTogether(_ target: Target) async throws {
        try await target.run { connect, root in
            let path = root + "/double"
            let observer = try await connect()
            let count = 4
            let arrived = Counter()
            let entered = Counter()
            let leaving = Counter()
            let violations = Counter()
            @Sendable func participant(_ index: Int) async throws {
                let barrier = DoubleBarrier(client: try await connect(), path: path, count: count, id: "p\(index)")
                arrived.increment()
                try await barrier.enter()
                if arrived.value != count { violations.increment() }
                entered.increment()
                leaving.increment()
                try await barrier.leave()
                if leaving.value != count { violations.increment() }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<(count - 1) { group.addTask { try await participant(index) } }
                try await eventually(within: .seconds(60)) {
                    (try? await observer.getChildren(path).count) == count - 1
                }
                #expect(entered.value == 0)
                #expect(try await observer.exists(path + "/ready") == nil)
                #expect(
                    Set(try await DoubleBarrier(client: observer, path: path, count: count).participants())
                        == ["p0", "p1", "p2"])
                group.addTask { try await participant(count - 1) }
                try await group.waitForAll()
            }
            #expect(entered.value == count)
            #expect(violations.value == 0)
            // The last to leave took `ready` away: the path is ready for another round.
            #expect(try await observer.getChildren(path).isEmpty)
        }
    }

    @Test(arguments: Target.allCases)
    func aParticipantThatGivesUpLeavesNoNode(_ target: Target) async throws {
        try await target.run { connect, root in
            let barrier = DoubleBarrier(client: try await connect(), path: root + "/double", count: 2)
            // The barrier's node exists beforehand: on a busy machine the timeout could otherwise
            // come before `enter` had made it, and there would be no node to list.
            try await barrier.client.ensurePath(root + "/double")
            await #expect(throws: RecipeTimeout.self) { try await barrier.enter(timeout: .milliseconds(300)) }
            #expect(try await barrier.client.getChildren(root + "/double").isEmpty)
            // Cancelled, it withdraws too.
            let waiting = Task { try await barrier.enter() }
            try await eventually { try await barrier.client.getChildren(root + "/double").count == 1 }
            waiting.cancel()
            await #expect(throws: CancellationError.self) { try await waiting.value }
            #expect(try await barrier.client.getChildren(root + "/double").isEmpty)
        }
    }
}

/// A shared count.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .sequentiallyConsistent) }
    var value: Int { count.load(ordering: .sequentiallyConsistent) }
}
