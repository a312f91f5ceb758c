import ZooKeeper

/// A counting semaphore shared by every process that uses the same path: at most `leases`
/// holders at a time (Curator's `InterProcessSemaphoreV2` layout).
///
/// ```swift
/// let semaphore = DistributedSemaphore(client: zk, path: "/semaphores/db", leases: 3)
/// let lease = try await semaphore.acquire(timeout: .seconds(10))
/// defer { Task { try await lease.release() } }
/// ```
///
/// Leases are ephemeral-sequential nodes under `PATH/leases`. Acquirers queue for the lock at
/// `PATH/lock` (each watching only its predecessor); only the lock's holder watches the leases,
/// and hands the lock on once it has one, so a release wakes one waiter, not all.
public struct DistributedSemaphore: Sendable {
    /// The session the recipe works through.
    public let client: ZooKeeperClient
    /// The recipe's node.
    public let path: String
    /// How many leases may be held at once.
    public let leases: Int

    /// Works at `path` through `client`; `leases` (at least 1) must be the same in every process.
    public init(client: ZooKeeperClient, path: String, leases: Int) {
        precondition(leases >= 1, "a semaphore needs at least one lease")
        self.client = client
        self.path = path
        self.leases = leases
    }

    /// Waits for a lease.
    /// - Throws: `RecipeTimeout` after `timeout` or `CancellationError` (the attempt is withdrawn),
    ///   or a `ZooKeeperError`.
    public func acquire(timeout: Duration? = nil) async throws -> Lease {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        let lock = DistributedLock(client: client, path: path + "/lock")
        do {
            try await lock.acquire(timeout: timeout)
        } catch let error as RecipeTimeout {
            throw RecipeTimeout(operation: "acquire a lease of", path: path, timeout: error.timeout)
        }
        do {
            let queue = ContenderQueue(client: client, parent: path + "/leases", name: "lease")
            let remaining = deadline.map { max(.zero, $0 - ContinuousClock.now) }
            let lease = try await queue.lease(timeout: remaining, operation: "acquire a lease of") { [leases] node in
                try await Self.waitForRoom(queue, node: node, leases: leases)
            }
            await uncancelled { try? await lock.release() }
            return lease
        } catch let error as RecipeTimeout {
            await uncancelled { try? await lock.release() }
            throw RecipeTimeout(operation: error.operation, path: path, timeout: timeout ?? error.timeout)
        } catch {
            await uncancelled { try? await lock.release() }
            throw error
        }
    }

    /// Runs `body` holding a lease, and releases it afterwards. When the lease can no longer be
    /// trusted (see `Lease.lost()`), `body` is cancelled; once it returns, this throws
    /// `OwnershipLost`.
    public func withLease<T: Sendable>(timeout: Duration? = nil, _ body: @Sendable () async throws -> T)
        async throws -> T
    {
        try await acquire(timeout: timeout).run(body)
    }

    /// The number of leases held now.
    public func held() async throws -> Int {
        do {
            return try await client.getChildren(path + "/leases").count
        } catch let error as ZooKeeperError where error.code == .noNode {
            return 0
        }
    }

    /// Waits until `node` is among the first `leases` lease nodes (only the lock's holder waits
    /// here, so watching all leases wakes no herd).
    private static func waitForRoom(_ queue: ContenderQueue, node: String, leases: Int) async throws {
        let name = String(node.split(separator: "/").last!)
        while true {
            let watched = try await queue.client.watchChildren(queue.parent)
            let (children, watch) = (watched.children, watched.watch)
            let order = children.sorted { ContenderQueue.sequence($0) < ContenderQueue.sequence($1) }
            guard let index = order.firstIndex(of: name) else {
                try? await watch.remove()
                throw ZooKeeperError(.sessionExpired, "the lease's node vanished", path: node)
            }
            if index < leases {
                try? await watch.remove()
                return
            }
            _ = try await watch.event()
        }
    }
}
