import ZooKeeper

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A double barrier: `count` participants `enter()` together (each waits until the last has
/// arrived) and `leave()` together (each waits until all have left), as in ZooKeeper's recipe.
///
/// ```swift
/// let barrier = DoubleBarrier(client: zk, path: "/barriers/batch-7", count: 3)
/// try await barrier.enter()   // returns once three participants are in
/// // ... the computation ...
/// try await barrier.leave()   // returns once all three are done
/// ```
///
/// Each participant is an ephemeral child of the barrier's node; the last to arrive creates the
/// child `ready`, which wakes the others (each watches only `ready`). Leaving, the lowest
/// participant waits for the highest and every other one for the lowest, so no release wakes
/// more than one waiter per departure. The last to leave removes `ready`, so the path can be used
/// for another round once every participant has left.
public final class DoubleBarrier: Sendable {
    /// The session the recipe works through.
    public let client: ZooKeeperClient
    /// The recipe's node.
    public let path: String
    /// How many participants the barrier waits for.
    public let count: Int
    private let name: String
    private let id: String

    /// - Parameters:
    ///   - client: the session this participant waits with.
    ///   - path: the barrier's node; participants are created under it.
    ///   - count: how many participants must enter before any proceeds.
    ///   - id: this participant's name, stored as its node's data (shown by `participants()`).
    public init(client: ZooKeeperClient, path: String, count: Int, id: String = "") {
        self.client = client
        self.path = path
        self.count = count
        self.id = id
        name = "p-" + UUID().uuidString.lowercased()
    }

    private var node: String { path + "/" + name }
    private var ready: String { path + "/ready" }

    /// Joins and waits until `count` participants have joined.
    /// - Throws: `RecipeTimeout` after `timeout` or `CancellationError` (both withdraw this
    ///   participant), or a `ZooKeeperError`.
    public func enter(timeout: Duration? = nil) async throws {
        do {
            try await withTimeout(timeout, "enter the barrier", path: path) { try await self.join() }
        } catch {
            await uncancelled { try? await self.withdraw() }
            throw error
        }
    }

    private func join() async throws {
        try await client.ensurePath(path)
        // Watch `ready` before joining, so its creation by the last participant is not missed.
        let watched = try await client.watchExists(ready)
        while true {
            do {
                try await client.create(node, data: id, mode: .ephemeral)
                break
            } catch let error as ZooKeeperError where error.code == .nodeExists {
                break  // created by a first attempt whose reply was lost
            } catch let error as ZooKeeperError where error.code == .connectionLoss {
                continue
            }
        }
        let arrived = try await members().count
        if watched.stat != nil || arrived >= count {
            try? await watched.watch.remove()
            do {
                try await client.create(ready)
            } catch let error as ZooKeeperError where error.code == .nodeExists {}
            return
        }
        _ = try await watched.watch.event()
    }

    /// Leaves and waits until every participant has left.
    /// - Throws: `RecipeTimeout` after `timeout`, `CancellationError`, or a `ZooKeeperError`.
    public func leave(timeout: Duration? = nil) async throws {
        try await withTimeout(timeout, "leave the barrier", path: path) { try await self.depart() }
    }

    private func depart() async throws {
        while true {
            let members = try await members()
            guard let lowest = members.first, let highest = members.last else { return }
            let present = members.contains(name)
            if members == [name] {
                // The last one: take `ready` away with this participant, in one step.
                do {
                    _ = try await client.multi([.delete(ready), .delete(node)])
                } catch let error as ZooKeeperError where error.code == .noNode {
                    try await withdraw()
                }
                return
            }
            let awaited: String
            if present && lowest == name {
                awaited = highest
            } else {
                if present { try await withdraw() }
                awaited = lowest
            }
            let watched = try await client.watchExists(path + "/" + awaited)
            if watched.stat == nil {
                try? await watched.watch.remove()
                continue
            }
            _ = try await watched.watch.event()
        }
    }

    /// The participants' ids, in node order.
    public func participants() async throws -> [String] {
        var ids: [String] = []
        for member in try await members() {
            if let data = try? await client.getData(path + "/" + member).data {
                ids.append(String(decoding: data, as: UTF8.self))
            }
        }
        return ids
    }

    /// The participants' node names, sorted.
    private func members() async throws -> [String] {
        do {
            return try await client.getChildren(path).filter { $0 != "ready" }.sorted()
        } catch let error as ZooKeeperError where error.code == .noNode {
            return []
        }
    }

    /// Deletes this participant's node, tolerating that it is gone.
    private func withdraw() async throws {
        try await client.withdraw(node)
    }
}
