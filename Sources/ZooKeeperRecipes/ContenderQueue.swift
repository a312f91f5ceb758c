import ZooKeeper

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The layout shared by the lock and leader election: ephemeral-sequential contender nodes under
/// one parent, in sequence order; the first holds the lock (or leads), each other one watches only
/// its predecessor, so a release wakes one waiter, not the herd.
///
/// Contender names carry a client-unique prefix (Curator's protected mode), so a create whose
/// reply was lost to a connection failure is found again instead of being made twice.
struct ContenderQueue: Sendable {
    let client: ZooKeeperClient
    let parent: String
    let prefix: String

    init(client: ZooKeeperClient, parent: String, name: String) {
        self.client = client
        self.parent = parent
        prefix = "_c_\(UUID().uuidString.lowercased())-\(name)-"
    }

    /// Creates this contender's node (parents too) and returns it. When that fails, e.g. the
    /// task is cancelled while its create is on the way (the server may still carry it out), the
    /// node is looked for by its prefix and withdrawn, so no stray contender blocks the others.
    func enter(data: [UInt8]) async throws -> Contender {
        do {
            return try await create(data: data)
        } catch {
            await uncancelled {
                if let mine = try? await self.find() { try? await self.leave(mine) }
            }
            throw error
        }
    }

    private func create(data: [UInt8]) async throws -> Contender {
        var mayExist = false
        while true {
            do {
                // After a lost reply the create may have happened: look for our prefix first, and
                // keep looking (not creating) while the connection is down.
                if mayExist, let mine = try await find(), let stat = try await client.exists(mine) {
                    return Contender(path: mine, stat: stat)
                }
                let created = try await client.create(parent + "/" + prefix, data: data, mode: .ephemeralSequential)
                return Contender(path: created.path, stat: created.stat)
            } catch let error as ZooKeeperError where error.code == .noNode {
                try await client.ensurePath(parent)
            } catch let error as ZooKeeperError where error.code == .connectionLoss {
                mayExist = true
            }
        }
    }

    /// This contender's node, if it exists.
    func find() async throws -> String? {
        let children = try await client.getChildren(parent)
        return children.first { $0.hasPrefix(prefix) }.map { parent + "/" + $0 }
    }

    /// The contenders in order (by sequence number, whatever their prefixes).
    func contenders() async throws -> [String] {
        try await client.getChildren(parent).sorted { Self.sequence($0) < Self.sequence($1) }
    }

    /// Creates this contender's node, then runs `wait` until it may proceed; on any failure,
    /// cancellation included, the node is withdrawn (in a task of its own: a cancelled task's
    /// requests are abandoned), so no stray contender stays in the others' way.
    func join(data: [UInt8], until wait: @Sendable (_ node: String) async throws -> Void) async throws -> Contender {
        let contender = try await enter(data: data)
        do {
            try await wait(contender.path)
            return contender
        } catch {
            await uncancelled { try? await self.leave(contender.path) }
            throw error
        }
    }

    /// Waits until `node` is first (watching only its predecessor). Throws when `node` is gone
    /// (its session ended).
    func waitUntilFirst(_ node: String) async throws {
        try await waitUntilUnblocked(node) { _ in true }
    }

    /// Leaves the queue: deletes the node, tolerating that it is already gone, retrying a delete
    /// lost to a connection failure (see `ZooKeeperClient.withdraw`).
    func leave(_ node: String) async throws {
        try await client.withdraw(node)
    }

    /// The 10-digit sequence suffix of a contender name.
    static func sequence(_ name: String) -> Int64 {
        Int64(name.suffix(10)) ?? Int64.max
    }
}

/// A contender's node, as created.
struct Contender: Sendable {
    var path: String
    /// Its creation stat: `ephemeralOwner` is the session it lives with, `czxid` its fencing token.
    var stat: Stat
}
