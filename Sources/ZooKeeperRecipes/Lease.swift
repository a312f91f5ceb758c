import ZooKeeper

/// A held share of a `ReadWriteLock` (read or write) or a `DistributedSemaphore`: its ephemeral node.
/// Release it when done; it also ends with the session.
public struct Lease: Hashable, Sendable {
    /// The lease's node.
    public let path: String
    /// The zxid that created the lease's node: every later holder's token is greater, so a
    /// resource that remembers the greatest token it has seen can refuse a stale holder's writes.
    public let fencingToken: Int64
    /// The session the lease lives with.
    public let sessionID: Int64
    let queue: ContenderQueue

    init(_ contender: Contender, queue: ContenderQueue) {
        path = contender.path
        fencingToken = contender.stat.czxid
        sessionID = contender.stat.ephemeralOwner
        self.queue = queue
    }

    /// Gives the lease back: deletes its node (retried across a connection loss; already gone is fine).
    public func release() async throws { try await queue.leave(path) }

    /// Waits until the lease can no longer be trusted, and says why: shortly before the server
    /// could expire its session (see `ZooKeeperClient.ownershipLost(sessionID:margin:)`), or once
    /// the session is gone. Stop the work done under the lease then.
    public func lost() async throws -> OwnershipLost {
        try await queue.client.ownershipLost(sessionID: sessionID, margin: try await ownershipMargin(queue.client))
    }

    /// Runs `body` under the lease, cancelling it when the lease can no longer be trusted (see
    /// `lost()`), then releases the lease.
    /// - Throws: `OwnershipLost` when the lease was lost (after `body` ended), or `body`'s error.
    public func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await holding(queue.client, sessionID: sessionID, release: release, body)
    }

    /// Leases are the same when their nodes are.
    public static func == (lhs: Lease, rhs: Lease) -> Bool { lhs.path == rhs.path }
    /// Hashes the node path.
    public func hash(into hasher: inout Hasher) { hasher.combine(path) }
}

extension ContenderQueue {
    /// Joins the queue and runs `wait` (bounded by `timeout`) until it may proceed; on any
    /// failure, cancellation or timeout the node is withdrawn (see `join`).
    func lease(
        data: [UInt8] = [], timeout: Duration?, operation: String,
        _ wait: @Sendable @escaping (_ node: String) async throws -> Void
    ) async throws -> Lease {
        let contender = try await join(data: data) { node in
            try await withTimeout(timeout, operation, path: parent) { try await wait(node) }
        }
        return Lease(contender, queue: self)
    }

    /// Waits until no contender before `node` satisfies `blocks` (watching only the nearest one
    /// that does). Throws when `node` is gone (its session ended).
    func waitUntilUnblocked(_ node: String, blockedBy blocks: @Sendable (String) -> Bool) async throws {
        let name = String(node.split(separator: "/").last!)
        while true {
            let order = try await contenders()
            guard let index = order.firstIndex(of: name) else {
                throw ZooKeeperError(.sessionExpired, "the contender's node vanished", path: node)
            }
            guard let blocker = order[..<index].last(where: blocks) else { return }
            let watched = try await client.watchExists(parent + "/" + blocker)
            if watched.stat == nil {
                try? await watched.watch.remove()
                continue
            }
            _ = try await watched.watch.event()
        }
    }
}
