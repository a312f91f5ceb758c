import ZooKeeper
import ZooKeeperProtocol

/// A simple barrier: while its node exists, `wait()` blocks; removing the node lets every
/// waiter through.
///
/// ```swift
/// let barrier = Barrier(client: zk, path: "/barriers/deploy")
/// try await barrier.set()          // the coordinator raises it
/// try await barrier.wait()         // workers block until...
/// try await barrier.remove()       // ...the coordinator lowers it
/// ```
public struct Barrier: Sendable {
    /// The session the recipe works through.
    public let client: ZooKeeperClient
    /// The recipe's node.
    public let path: String

    /// Works at `path` through `client`; nothing is created until used.
    public init(client: ZooKeeperClient, path: String) {
        self.client = client
        self.path = path
    }

    /// Raises the barrier (creates its node, and missing parents). Returns false when it was up already.
    @discardableResult
    public func set() async throws -> Bool {
        while true {
            do {
                try await client.create(path)
                return true
            } catch let error as ZooKeeperError where error.code == .nodeExists {
                return false
            } catch let error as ZooKeeperError where error.code == .noNode {
                try await client.ensurePath(NodePath.split(path).parent)
            }
        }
    }

    /// Lowers the barrier: waiters pass. Lowering a barrier that is not up is not an error.
    public func remove() async throws {
        do {
            try await client.delete(path)
        } catch let error as ZooKeeperError where error.code == .noNode {
            return
        }
    }

    /// Whether the barrier is up.
    public func isSet() async throws -> Bool { try await client.exists(path) != nil }

    /// Waits until the barrier is down (returns at once if it is).
    /// - Throws: `RecipeTimeout` after `timeout`, `CancellationError`, or a `ZooKeeperError`.
    public func wait(timeout: Duration? = nil) async throws {
        try await withTimeout(timeout, "pass the barrier", path: path) { [client, path] in
            while true {
                let watched = try await client.watchExists(path)
                guard watched.stat != nil else {
                    try? await watched.watch.remove()
                    return
                }
                _ = try await watched.watch.event()
            }
        }
    }
}
