import ZooKeeper

/// A distributed queue whose items carry a priority: lower numbers are taken first, items of
/// equal priority in arrival order. Items are persistent-sequential nodes named
/// `item-PRIORITY-SEQUENCE` (the priority biased so names sort as numbers); each is taken by
/// exactly one consumer, as in `DistributedQueue`.
///
/// ```swift
/// let queue = DistributedPriorityQueue(client: zk, path: "/queues/jobs")
/// try await queue.put(Array("urgent".utf8), priority: -10)
/// let next = try await queue.take()
/// ```
public struct DistributedPriorityQueue: Sendable {
    /// The session the recipe works through.
    public let client: ZooKeeperClient
    /// The recipe's node.
    public let path: String

    /// Works at `path` through `client`; nothing is created until used.
    public init(client: ZooKeeperClient, path: String) {
        self.client = client
        self.path = path
    }

    /// Adds an item; returns its node's path.
    @discardableResult
    public func put(_ item: [UInt8], priority: Int32 = 0) async throws -> String {
        let name = "item-" + Self.encode(priority) + "-"
        while true {
            do {
                return try await client.create(path + "/" + name, data: item, mode: .persistentSequential).path
            } catch let error as ZooKeeperError where error.code == .noNode {
                try await client.ensurePath(path)
            }
        }
    }

    /// The first item without taking it, or nil when the queue is empty.
    public func peek() async throws -> [UInt8]? {
        for name in try await items() {
            if let (data, _) = try? await client.getData(path + "/" + name) { return data }
        }
        return nil
    }

    /// Takes the first item, or nil when the queue is empty.
    public func poll() async throws -> [UInt8]? {
        for name in try await items() {
            let node = path + "/" + name
            guard let (data, stat) = try? await client.getData(node) else { continue }
            do {
                try await client.delete(node, version: stat.version)
                return data
            } catch let error as ZooKeeperError where error.code == .noNode || error.code == .badVersion {
                continue  // another consumer took it
            }
        }
        return nil
    }

    /// Takes the first item, waiting for one if the queue is empty.
    /// - Throws: `CancellationError` when the task is cancelled while waiting, or a `ZooKeeperError`.
    public func take() async throws -> [UInt8] {
        while true {
            if let item = try await poll() { return item }
            let watch: ZooKeeperWatch
            do {
                let result = try await client.watchChildren(path)
                if !result.children.isEmpty {
                    try? await result.watch.remove()
                    continue
                }
                watch = result.watch
            } catch let error as ZooKeeperError where error.code == .noNode {
                try await client.ensurePath(path)
                continue
            }
            _ = try await watch.awaitEvent()
        }
    }

    /// The number of items waiting.
    public func count() async throws -> Int { try await items().count }

    /// The item names in the order they are taken.
    private func items() async throws -> [String] {
        do {
            return try await client.getChildren(path).filter { $0.hasPrefix("item-") }.sorted()
        } catch let error as ZooKeeperError where error.code == .noNode {
            return []
        }
    }

    /// The priority as 10 digits that sort as the number does (biased by 2^31).
    static func encode(_ priority: Int32) -> String {
        let biased = String(Int64(priority) + Int64(Int32.max) + 1)
        return String(repeating: "0", count: 10 - biased.count) + biased
    }
}
