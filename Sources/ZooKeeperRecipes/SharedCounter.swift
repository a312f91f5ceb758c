import ZooKeeper

/// A counter shared through one node, updated by compare-and-set on the node's version, so
/// concurrent increments are never lost.
public struct SharedCounter: Sendable {
    public let client: ZooKeeperClient
    public let path: String

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

    /// Adds `delta` and returns the new value.
    @discardableResult
    public func add(_ delta: Int64) async throws -> Int64 {
        while true {
            let current: Int64
            let version: Int32
            do {
                let (data, stat) = try await client.getData(path)
                current = Int64(String(decoding: data, as: UTF8.self)) ?? 0
                version = stat.version
            } catch let error as ZooKeeperError where error.code == .noNode {
                do {
                    try await client.create(path, data: Array(String(delta).utf8))
                    return delta
                } catch let error as ZooKeeperError where error.code == .nodeExists {
                    continue
                }
            }
            do {
                try await client.setData(path, data: Array(String(current + delta).utf8), version: version)
                return current + delta
            } catch let error as ZooKeeperError where error.code == .badVersion {
                continue  // someone else won this round: read again
            }
        }
    }
}
