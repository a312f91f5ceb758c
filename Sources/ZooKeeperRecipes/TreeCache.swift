import ZooKeeper

/// A subtree's nodes (data and stat), kept current by one persistent recursive watch
/// (ZooKeeper 3.6+), with its changes as events.
///
/// ```swift
/// let cache = TreeCache(client: zk, path: "/config")
/// let changes = cache.events()
/// try await cache.start()
/// let everything = cache.snapshot()   // path -> node
/// for await change in changes { print(change.kind, change.path) }
/// ```
///
/// Events come in the order the cache applies them: a removed subtree deepest first, added nodes
/// parents first. After a reconnect or a session expiry the subtree is read again and compared,
/// so the changes made meanwhile are reported too.
public final class TreeCache: Sendable {
    private let engine: WatchedCache

    /// Follows the subtree at `path` through `client`, once started.
    public init(client: ZooKeeperClient, path: String) {
        engine = WatchedCache(client: client, root: path, recursive: true)
    }

    /// The subtree's root.
    public var path: String { engine.root }

    /// Adds the watch and reads the subtree (an `added` event per node); then follows it.
    /// Connection loss and session expiry meanwhile are waited out. Call it once.
    public func start() async throws { try await engine.start() }

    /// Stops following the subtree; event streams end.
    public func close() async { await engine.close() }

    /// Every node held, by path: one consistent state, as of the last change applied.
    public func snapshot() -> [String: NodeData] { engine.nodes }

    /// The node at `path`, if held.
    public func node(at path: String) -> NodeData? { engine.nodes[path] }

    /// The names of the children of `path` that are held, sorted.
    public func children(of path: String) -> [String] {
        let prefix = path == "/" ? "/" : path + "/"
        return engine.nodes.keys.filter { $0.hasPrefix(prefix) && $0.dropFirst(prefix.count).contains("/") == false }
            .map { String($0.dropFirst(prefix.count)) }.filter { !$0.isEmpty }.sorted()
    }

    /// The changes applied from now on, in order, until `close()`. Ask before `start()` to see
    /// the first read too.
    public func events() -> AsyncStream<CacheEvent> { engine.events() }
}
