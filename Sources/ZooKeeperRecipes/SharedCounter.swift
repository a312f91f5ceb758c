import ZooKeeper
import ZooKeeperProtocol

/// A counter shared through one node, updated by compare-and-set on the node's version, so
/// concurrent increments are never lost. The node holds the value in decimal.
///
/// ```swift
/// let visits = SharedCounter(client: zk, path: "/counters/visits")
/// try await visits.add(1)
/// let total = try await visits.value()
/// ```
public struct SharedCounter: Sendable {
    /// The session the recipe works through.
    public let client: ZooKeeperClient
    /// The counter's node.
    public let path: String

    /// Works at `path` through `client`; nothing is created until the first `add`.
    public init(client: ZooKeeperClient, path: String) {
        self.client = client
        self.path = path
    }

    /// The current value (0 when the node does not exist yet).
    public func value() async throws -> Int64 {
        do {
            return Int64(String(decoding: try await client.getData(path).data, as: UTF8.self)) ?? 0
        } catch let error as ZooKeeperError where error.code == .noNode {
            return 0
        }
    }

    /// Adds `delta` and returns the new value. A counter whose node does not exist yet counts
    /// from 0: its node, and any missing parent, is created.
    @discardableResult
    public func add(_ delta: Int64) async throws -> Int64 {
        while true {
            let current: Int64
            let version: Int32
            do {
                let node = try await client.getData(path)
                current = Int64(String(decoding: node.data, as: UTF8.self)) ?? 0
                version = node.stat.version
            } catch let error as ZooKeeperError where error.code == .noNode {
                do {
                    try await client.create(path, data: String(delta))
                    return delta
                } catch let error as ZooKeeperError where error.code == .nodeExists {
                    continue  // someone else created it first: add to theirs
                } catch let error as ZooKeeperError where error.code == .noNode {
                    try await client.ensurePath(NodePath.split(path).parent)
                    continue
                }
            }
            do {
                try await client.setData(path, data: String(current + delta), version: version)
                return current + delta
            } catch let error as ZooKeeperError where error.code == .badVersion || error.code == .noNode {
                continue  // someone else won this round, or deleted the counter: read again
            }
        }
    }
}
