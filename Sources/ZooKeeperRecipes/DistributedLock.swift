import Synchronization
import ZooKeeper

/// A mutual-exclusion lock shared by every process that uses the same path (Curator's
/// `InterProcessMutex` layout): at most one holder at a time, waiters served in arrival order.
///
/// ```swift
/// let lock = DistributedLock(client: zk, path: "/locks/product-123")
/// try await lock.withLock {
///     // only one process runs this at a time
/// }
/// ```
///
/// The lock lives with the session: if the holder's session ends, its node goes and the next
/// waiter gets the lock. A holder should watch `client.states()` and stop work on `.expired`.
public final class DistributedLock: Sendable {
    private let queue: ContenderQueue
    private let held: Mutex<String?> = Mutex(nil)

    /// - Parameters:
    ///   - client: the session the lock is held with.
    ///   - path: the lock's node; contenders are created under it (and it is created if missing).
    public init(client: ZooKeeperClient, path: String) {
        queue = ContenderQueue(client: client, parent: path, name: "lock")
    }

    /// Waits until this process holds the lock.
    /// - Throws: `LockTimeout` after `timeout` (the attempt is withdrawn), `CancellationError`, or a
    ///   `ZooKeeperError`.
    public func acquire(timeout: Duration? = nil) async throws {
        guard held.withLock({ $0 }) == nil else { throw ZooKeeperError(.apiError, "this lock is already held here") }
        let node = try await queue.enter(data: [])
        do {
            let first: Bool
            if let timeout {
                first = try await withThrowingTaskGroup(of: Bool.self) { group in
                    group.addTask { try await self.queue.waitUntilFirst(node) }
                    group.addTask {
                        try await Task.sleep(for: timeout)
                        throw LockTimeout(path: self.queue.parent, timeout: timeout)
                    }
                    defer { group.cancelAll() }
                    return try await group.next()!
                }
            } else {
                first = try await queue.waitUntilFirst(node)
            }
            guard first else { throw ZooKeeperError(.sessionExpired, "the lock's node vanished", path: node) }
            held.withLock { $0 = node }
        } catch {
            try? await queue.leave(node)
            throw error
        }
    }

    /// Releases the lock; the next waiter gets it.
    public func release() async throws {
        guard
            let node = held.withLock({ current in
                defer { current = nil }; return current
            })
        else { return }
        try await queue.leave(node)
    }

    /// Runs `body` while holding the lock, and releases it afterwards.
    public func withLock<T: Sendable>(timeout: Duration? = nil, _ body: () async throws -> T) async throws -> T {
        try await acquire(timeout: timeout)
        do {
            let result = try await body()
            try await release()
            return result
        } catch {
            try? await release()
            throw error
        }
    }

    /// Whether this instance holds the lock.
    public var isHeld: Bool { held.withLock { $0 } != nil }
}

/// The lock was not acquired in time.
public struct LockTimeout: Error, CustomStringConvertible {
    public var path: String
    public var timeout: Duration
    public var description: String { "could not acquire \(path) within \(timeout)" }
}
