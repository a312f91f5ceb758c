import ZooKeeper

/// One node's data and stat, kept current by a persistent watch (ZooKeeper 3.6+), with its
/// changes as events.
///
/// ```swift
/// let cache = NodeCache(client: zk, path: "/config/feature-flags")
/// let changes = cache.events()
/// try await cache.start()
/// print(cache.current?.data ?? [])
/// for await change in changes { print(change.kind, change.node.data) }
/// ```
///
/// After a reconnect or a session expiry the node is read again, so a change made meanwhile is
/// reported (as one event, even if the node changed several times).
public final class NodeCache: Sendable {
    private let engine: WatchedCache

    /// Follows the node at `path` through `client`, once started.
    public init(client: ZooKeeperClient, path: String) {
        engine = WatchedCache(client: client, root: path, recursive: false)
    }

    /// The node's path.
    public var path: String { engine.root }

    /// Adds the watch and reads the node (an `added` event when it exists); then follows it.
    /// Connection loss and session expiry meanwhile are waited out. Call it once.
    public func start() async throws { try await engine.start() }

    /// Stops following the node; event streams end.
    public func close() async { await engine.close() }

    /// The node as last read, or nil when it does not exist.
    public var current: NodeData? { engine.nodes[engine.root] }

    /// The changes applied from now on, in order, until `close()`. Ask before `start()` to see
    /// the first read too.
    public func events() -> AsyncStream<CacheEvent> { engine.events() }
}
