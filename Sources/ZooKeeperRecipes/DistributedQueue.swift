import NIOCore
import ZooKeeper

/// A first-in, first-out queue of byte strings: producers add persistent-sequential children,
/// consumers take the lowest and delete it. Each item is taken by exactly one consumer: the delete
/// (with the version read) decides which consumer won it.
///
/// Items are taken in the order of their node names, `item-SEQUENCE` here;
/// `DistributedPriorityQueue` puts its priority before the sequence number.
public struct DistributedQueue: Sendable {
    /// The session the recipe works through.
    public let client: ZooKeeperClient
    /// The queue's node; items are its children.
    public let path: String

    /// Works at `path` through `client`; nothing is created until used.
    public init(client: ZooKeeperClient, path: String) {
        self.client = client
        self.path = path
    }

    /// Adds an item (bytes in any collection); returns its node's path.
    @discardableResult
    public func put(_ item: some Collection<UInt8>) async throws -> String {
        try await put(Array(item), name: "item-")
    }

    /// Adds an item, `item` in UTF-8; returns its node's path.
    @discardableResult
    public func put(_ item: String) async throws -> String {
        try await put(item.utf8)
    }

    /// Adds an item, the readable bytes of `item`; returns its node's path.
    @discardableResult
    public func put(_ item: ByteBuffer) async throws -> String {
        try await put(item.readableBytesView)
    }

    /// Adds an item as a sequential node whose name starts with `name` (which starts with `item-`).
    func put(_ item: [UInt8], name: String) async throws -> String {
        while true {
            do {
                return try await client.create(path + "/" + name, data: item, mode: .persistentSequential).path
            } catch let error as ZooKeeperError where error.code == .noNode {
                try await client.ensurePath(path)
            }
        }
    }

    /// The oldest item without taking it, or nil when the queue is empty.
    public func peek() async throws -> [UInt8]? {
        for name in try await items() {
            if let item = try? await client.getData(path + "/" + name) { return item.data }
        }
        return nil
    }

    /// Takes the oldest item, or nil when the queue is empty. An item is taken whole: once its
    /// delete is sent, it is returned (or the delete's error thrown) even if the task is cancelled.
    public func poll() async throws -> [UInt8]? {
        for name in try await items() {
            let node = path + "/" + name
            guard let item = try? await client.getData(node) else { continue }
            // Not cancelled half way: a delete on its way may still happen, and the item would be
            // gone without anyone having it. Taken, it is returned even to a cancelled task.
            let taken = await Task { [client] in try await client.delete(node, version: item.stat.version) }.result
            do {
                try taken.get()
                return item.data
            } catch let error as ZooKeeperError where error.code == .noNode || error.code == .badVersion {
                continue  // another consumer took it
            }
        }
        return nil
    }

    /// Takes the oldest item, waiting for one if the queue is empty.
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
            _ = try await watch.event()
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
}
