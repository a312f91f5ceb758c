import Synchronization
import ZooKeeper

/// Leader election among the processes that use the same path: candidates queue as
/// ephemeral-sequential nodes; the first leads; when it goes (or its session ends), the next
/// candidate leads. Each candidate watches only its predecessor.
///
/// ```swift
/// let election = LeaderElection(client: zk, path: "/election/scheduler", id: "node-1")
/// try await election.lead {
///     // runs only while this process is the leader
/// }
/// ```
public final class LeaderElection: Sendable {
    private let queue: ContenderQueue
    private let client: ZooKeeperClient
    private let id: String
    private let token: Mutex<Int64?> = Mutex(nil)

    /// - Parameters:
    ///   - client: the session this candidate runs with; it leads only while the session lives.
    ///   - path: the election's node; candidates are created under it.
    ///   - id: this candidate's name, stored as its node's data (shown by `candidates()`).
    public init(client: ZooKeeperClient, path: String, id: String) {
        self.client = client
        self.id = id
        queue = ContenderQueue(client: client, parent: path, name: "candidate")
    }

    /// Campaigns, then runs `body` as the leader. Leadership ends when `body` returns (the
    /// candidate withdraws) or when the session could be lost.
    ///
    /// Leadership is given up shortly before the server could expire the session (when the
    /// connection is lost, or frozen, and not back in time; see
    /// `ZooKeeperClient.ownershipLost(sessionID:margin:)`): `body`'s task is cancelled then, and
    /// once it returns, `lead` throws `OwnershipLost`. `body` must honour cancellation.
    public func lead<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        let contender = try await queue.join(data: Array(id.utf8)) { [queue] in try await queue.waitUntilFirst($0) }
        let node = contender.path
        token.withLock { $0 = contender.stat.czxid }
        defer { token.withLock { $0 = nil } }
        return try await holding(
            client, sessionID: contender.stat.ephemeralOwner,
            release: { [queue] in
                try await queue.leave(node)
            }, body)
    }

    /// While leading: the zxid that created this candidate's node. Every later leader's token is
    /// greater, so a resource that remembers the greatest token it has seen can refuse a stale
    /// leader.
    public var fencingToken: Int64? { token.withLock { $0 } }

    /// The candidates' ids in order; the first leads.
    public func candidates() async throws -> [String] {
        var ids: [String] = []
        for name in try await queue.contenders() {
            if let data = try? await client.getData(queue.parent + "/" + name).data {
                ids.append(String(decoding: data, as: UTF8.self))
            }
        }
        return ids
    }
}
