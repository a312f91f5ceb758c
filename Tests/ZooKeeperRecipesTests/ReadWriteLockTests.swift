import Foundation
import Testing
import ZooKeeper
import ZooKeeperRecipes
import ZooKeeperTestSupport

@Suite(.timeLimit(.minutes(3))) struct ReadWriteLockTests {
    @Test(arguments: Target.allCases)
    func readersShareAndAWriterWaitsForThemAndHoldsBackLaterReaders(_ target: Target) async throws {
        try await target.run { connect, root in
            let path = root + "/rw"
            let first = ReadWriteLock(client: try await connect(), path: path)
            let second = ReadWriteLock(client: try await connect(), path: path)
            let writer = ReadWriteLock(client: try await connect(), path: path)
            let late = ReadWriteLock(client: try await connect(), path: path)
            // Two readers hold the lock together.
            let read1 = try await first.acquireRead(timeout: .seconds(20))
            let read2 = try await second.acquireRead(timeout: .seconds(20))
            // A writer cannot get in while they read, and leaves no node when it gives up.
            await #expect(throws: RecipeTimeout.self) { _ = try await writer.acquireWrite(timeout: .milliseconds(300)) }
            #expect(try await first.client.getChildren(path).count == 2)
            // Once a writer waits, a later reader waits behind it.
            let writing = Task { try await writer.acquireWrite() }
            try await eventually { try await first.client.getChildren(path).count == 3 }
            await #expect(throws: RecipeTimeout.self) { _ = try await late.acquireRead(timeout: .milliseconds(300)) }
            try await read1.release()
            #expect(try await first.client.getChildren(path).count == 2)
            try await read2.release()
            let write = try await writing.value
            // The writer is alone: a reader cannot get in until it releases.
            let reading = Task { try await late.acquireRead() }
            try await eventually { try await first.client.getChildren(path).count == 2 }
            try await write.release()
            let read3 = try await reading.value
            // A cancelled writer withdraws its node.
            let cancelled = Task { try await writer.acquireWrite() }
            try await eventually { try await first.client.getChildren(path).count == 2 }
            cancelled.cancel()
            await #expect(throws: CancellationError.self) { _ = try await cancelled.value }
            #expect(try await first.client.getChildren(path).count == 1)
            try await read3.release()
            #expect(try await first.client.getChildren(path).isEmpty)
        }
    }

    @Test(arguments: Target.allCases)
    func writersAreExclusiveUnderContention(_ target: Target) async throws {
        try await target.run { connect, root in
            let readers = Counter()
            let writers = Counter()
            let violations = Counter()
            let tracker = ReadWriteTracker()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<6 {
                    group.addTask {
                        let lock = ReadWriteLock(client: try await connect(), path: root + "/rw")
                        for round in 0..<8 {
                            if (worker + round) % 3 == 0 {
                                try await lock.withWriteLock {
                                    if !tracker.enterWriter() { violations.increment() }
                                    try await Task.sleep(for: .milliseconds(5))
                                    tracker.leaveWriter()
                                    writers.increment()
                                }
                            } else {
                                try await lock.withReadLock {
                                    if !tracker.enterReader() { violations.increment() }
                                    try await Task.sleep(for: .milliseconds(5))
                                    tracker.leaveReader()
                                    readers.increment()
                                }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(violations.value == 0)
            #expect(writers.value == 16)
            #expect(readers.value == 32)
        }
    }
}

/// Who is inside a read-write critical section: enter returns false on a violation.
final class ReadWriteTracker: @unchecked Sendable {
    private let lock = NSLock()
    private var readers = 0
    private var writers = 0

    func enterReader() -> Bool {
        lock.withLock {
            readers += 1
            return writers == 0
        }
    }
    func leaveReader() { lock.withLock { readers -= 1 } }
    func enterWriter() -> Bool {
        lock.withLock {
            writers += 1
            return writers == 1 && readers == 0
        }
    }
    func leaveWriter() { lock.withLock { writers -= 1 } }
}
