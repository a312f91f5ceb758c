import ZooKeeper

/// A read-write lock shared by every process that uses the same path: any number of readers
/// together, or one writer alone, served in arrival order (a waiting writer holds back later
/// readers, so writers do not starve).
///
/// ```swift
/// let lock = ReadWriteLock(client: zk, path: "/locks/catalog")
/// try await lock.withReadLock { /* many processes at once */ }
/// try await lock.withWriteLock { /* one process alone */ }
/// ```
///
/// Contenders are ephemeral-sequential nodes whose names say read or write; a reader watches
/// only the nearest writer before it, a writer only its immediate predecessor, so a release wakes
/// only those it lets in.
public struct ReadWriteLock: Sendable {
    /// The session the recipe works through.
    public let client: ZooKeeperClient
    /// The recipe's node.
    public let path: String

    /// Works at `path` through `client`; nothing is created until used.
    public init(client: ZooKeeperClient, path: String) {
        self.client = client
        self.path = path
    }

    /// Waits for a share of the lock with the other readers.
    /// - Throws: `RecipeTimeout` after `timeout` or `CancellationError` (the attempt is withdrawn),
    ///   or a `ZooKeeperError`.
    public func acquireRead(timeout: Duration? = nil) async throws -> Lease {
        let queue = ContenderQueue(client: client, parent: path, name: "read")
        return try await queue.lease(timeout: timeout, operation: "read-lock") { node in
            try await queue.waitUntilUnblocked(node, blockedBy: Self.isWriter)
        }
    }

    /// Waits until this process alone holds the lock.
    /// - Throws: `RecipeTimeout` after `timeout` or `CancellationError` (the attempt is withdrawn),
    ///   or a `ZooKeeperError`.
    public func acquireWrite(timeout: Duration? = nil) async throws -> Lease {
        let queue = ContenderQueue(client: client, parent: path, name: "write")
        return try await queue.lease(timeout: timeout, operation: "write-lock") { node in
            try await queue.waitUntilUnblocked(node) { _ in true }
        }
    }

    /// Runs `body` holding a read share, and releases it afterwards.
    ///
    /// When the share can no longer be trusted (see `Lease.lost()`), `body` is cancelled; once it
    /// returns, this throws `OwnershipLost`.
    public func withReadLock<T: Sendable>(timeout: Duration? = nil, _ body: @Sendable () async throws -> T)
        async throws -> T
    {
        try await acquireRead(timeout: timeout).run(body)
    }

    /// Runs `body` holding the write lock, and releases it afterwards.
    ///
    /// When the lock can no longer be trusted (see `Lease.lost()`), `body` is cancelled; once it
    /// returns, this throws `OwnershipLost`.
    public func withWriteLock<T: Sendable>(timeout: Duration? = nil, _ body: @Sendable () async throws -> T)
        async throws -> T
    {
        try await acquireWrite(timeout: timeout).run(body)
    }

    /// Whether a contender name is a writer's (`_c_UUID-write-SEQUENCE`).
    static func isWriter(_ name: String) -> Bool { name.dropLast(10).hasSuffix("-write-") }
}
