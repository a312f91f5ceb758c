import NIOCore
import ZooKeeper

/// A distributed queue whose items carry a priority: lower numbers are taken first, items of
/// equal priority in arrival order. Items are persistent-sequential nodes named
/// `item-PRIORITY-SEQUENCE` (the priority biased so names sort as numbers); each is taken by
/// exactly one consumer, as in `DistributedQueue`.
///
/// ```swift
/// let queue = DistributedPriorityQueue(client: zk, path: "/queues/jobs")
/// try await queue.put("urgent", priority: -10)
/// let next = try await queue.take()
/// ```
public struct DistributedPriorityQueue: Sendable {
    private let queue: DistributedQueue
    /// The session the recipe works through.
    public var client: ZooKeeperClient { queue.client }
    /// The queue's node; items are its children.
    public var path: String { queue.path }

    /// Works at `path` through `client`; nothing is created until used.
    public init(client: ZooKeeperClient, path: String) {
        queue = DistributedQueue(client: client, path: path)
    }

    /// Adds an item (bytes in any collection); returns its node's path.
    @discardableResult
    public func put(_ item: some Collection<UInt8>, priority: Int32 = 0) async throws -> String {
        try await queue.put(Array(item), name: "item-" + Self.encode(priority) + "-")
    }

    /// Adds an item, `item` in UTF-8; returns its node's path.
    @discardableResult
    public func put(_ item: String, priority: Int32 = 0) async throws -> String {
        try await put(item.utf8, priority: priority)
    }

    /// Adds an item, the readable bytes of `item`; returns its node's path.
    @discardableResult
    public func put(_ item: ByteBuffer, priority: Int32 = 0) async throws -> String {
        try await put(item.readableBytesView, priority: priority)
    }

    /// The first item without taking it, or nil when the queue is empty.
    public func peek() async throws -> [UInt8]? { try await queue.peek() }

    /// Takes the first item, or nil when the queue is empty.
    public func poll() async throws -> [UInt8]? { try await queue.poll() }

    /// Takes the first item, waiting for one if the queue is empty.
    /// - Throws: `CancellationError` when the task is cancelled while waiting, or a `ZooKeeperError`.
    public func take() async throws -> [UInt8] { try await queue.take() }

    /// The number of items waiting.
    public func count() async throws -> Int { try await queue.count() }

    /// The priority as 10 digits that sort as the number does (biased by 2^31).
    static func encode(_ priority: Int32) -> String {
        let biased = String(Int64(priority) + Int64(Int32.max) + 1)
        return String(repeating: "0", count: 10 - biased.count) + biased
    }
}
