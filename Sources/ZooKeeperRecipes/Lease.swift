import ZooKeeper

/// A held share of a `ReadWriteLock` (read or write) or a `DistributedSemaphore`: its ephemeral node.
/// Release it when done; it also ends with the session.
public struct Lease: Hashable, Sendable {
    /// The lease's node.
    public let path: String
    let queue: ContenderQueue

    /// Gives the lease back: deletes its node (retried across a connection loss; already gone is fine).
    public func release() async throws { try await queue.leave(path) }

    /// Leases are the same when their nodes are.
    public static func == (lhs: Lease, rhs: Lease) -> Bool { lhs.path == rhs.path }
    /// Hashes the node path.
    public func hash(into hasher: inout Hasher) { hasher.combine(path) }
}

extension ContenderQueue {
    /// Creates a contender node, then runs `wait` (bounded by `timeout`) until it may proceed;
    /// on any failure, cancellation or timeout the node is withdrawn.
    func lease(
        data: [UInt8] = [], timeout: Duration?, operation: String,
        _ wait: @Sendable @escaping (_ node: String) async throws -> Void
    ) async throws -> Lease {
        let node = try await enter(data: data)
        do {
            try await withTimeout(timeout, operation, path: parent) { try await wait(node) }
            return Lease(path: node, queue: self)
        } catch {
            await uncancelled { try? await self.leave(node) }
            throw error
        }
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
            let (stat, watch) = try await client.watchExists(parent + "/" + blocker)
            if stat == nil {
                try? await watch.remove()
                continue
            }
            _ = try await watch.awaitEvent()
        }
    }
}
