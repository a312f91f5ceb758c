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
    /// candidate withdraws) or when the session is lost: then `body`'s task is cancelled, since
    /// another process may already lead.
    public func lead<T: Sendable>(_ body: @Sendable @escaping () async throws -> T) async throws -> T {
        let node = try await queue.enter(data: Array(id.utf8))
        do {
            guard try await queue.waitUntilFirst(node) else {
                throw ZooKeeperError(.sessionExpired, "the candidate's node vanished", path: node)
            }
            let states = client.states()
            let result = try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await body() }
                group.addTask {
                    for await state in states where state == .suspended || state == .expired || state == .closed {
                        throw ZooKeeperError(.connectionLoss, "leadership lost: the session is \(state)")
                    }
                    return nil
                }
                defer { group.cancelAll() }
                while let next = try await group.next() {
                    if let value = next { return value }
                }
                throw CancellationError()
            }
            try await queue.leave(node)
            return result
        } catch {
            try? await queue.leave(node)
            throw error
        }
    }

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
