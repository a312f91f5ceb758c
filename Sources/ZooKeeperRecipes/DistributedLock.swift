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
/// waiter gets the lock. `withLock` cancels its body shortly before the server could expire the
/// session (when the connection is lost, or frozen, and not back in time), so two bodies never
/// run at once; a holder that calls `acquire` itself waits on `lost()` for the same moment.
/// Pass `fencingToken` to the resources the lock protects, so that they can refuse a holder
/// that was paused past its ownership.
public final class DistributedLock: Sendable {
    private let queue: ContenderQueue
    private let held: Mutex<Contender?> = Mutex(nil)
    /// Tasks that share this instance take turns: one holds the lock through it at a time.
    private let turns = LocalTurns()

    /// - Parameters:
    ///   - client: the session the lock is held with.
    ///   - path: the lock's node; contenders are created under it (and it is created if missing).
    public init(client: ZooKeeperClient, path: String) {
        queue = ContenderQueue(client: client, parent: path, name: "lock")
    }

    /// Waits until this process holds the lock. Tasks that share this instance wait for each
    /// other first, in arrival order, as they would with separate instances.
    /// - Throws: `RecipeTimeout` after `timeout` (the attempt is withdrawn), `CancellationError`, or a
    ///   `ZooKeeperError`.
    public func acquire(timeout: Duration? = nil) async throws {
        try await withTimeout(timeout, "acquire the lock", path: queue.parent) { [self] in
            try await turns.take()
            do {
                try await take()
            } catch {
                turns.give()
                throw error
            }
        }
    }

    /// This task's turn: queues its contender and waits until it is first.
    private func take() async throws {
        let contender = try await queue.join(data: []) { [queue] in try await queue.waitUntilFirst($0) }
        held.withLock { $0 = contender }
    }

    /// Releases the lock; the next waiter gets it.
    public func release() async throws {
        guard
            let node = held.withLock({ current in
                defer { current = nil }; return current
            })
        else { return }
        defer { turns.give() }
        try await queue.leave(node.path)
    }

    /// Runs `body` while holding the lock, and releases it afterwards.
    ///
    /// When the lock can no longer be trusted (see `lost()`), `body`'s task is cancelled; once
    /// it returns, `withLock` throws `OwnershipLost`. `body` must honour cancellation.
    public func withLock<T: Sendable>(timeout: Duration? = nil, _ body: @Sendable () async throws -> T)
        async throws -> T
    {
        try await acquire(timeout: timeout)
        let contender = held.withLock { $0! }
        defer {
            held.withLock { $0 = nil }
            turns.give()
        }
        return try await holding(
            queue.client, sessionID: contender.stat.ephemeralOwner,
            release: { [queue] in try await queue.leave(contender.path) }, body)
    }

    /// Waits until the held lock can no longer be trusted, and says why: shortly before the
    /// server could expire the session (the connection lost or frozen and not back in time), or
    /// once the session is gone.
    /// - Throws: `ZooKeeperError` `.apiError` when the lock is not held here.
    public func lost() async throws -> OwnershipLost {
        guard let contender = held.withLock({ $0 }) else {
            throw ZooKeeperError(.apiError, "this lock is not held here")
        }
        return try await queue.client.ownershipLost(
            sessionID: contender.stat.ephemeralOwner, margin: try await ownershipMargin(queue.client))
    }

    /// Whether this instance holds the lock.
    public var isHeld: Bool { held.withLock { $0 } != nil }

    /// While held: the zxid that created the lock's node. Every later holder's token is greater,
    /// so a resource that remembers the greatest token it has seen can refuse a stale holder.
    public var fencingToken: Int64? { held.withLock { $0?.stat.czxid } }
}
