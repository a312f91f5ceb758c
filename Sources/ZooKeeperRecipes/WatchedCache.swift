import Synchronization
import ZooKeeper
import ZooKeeperProtocol

/// The engine of `NodeCache` and `TreeCache`: one persistent watch (recursive for a tree) on the
/// root keeps a map of path to node current. Each event is answered by reading the node again,
/// and the map is compared with what was read, so the events it emits are the changes actually
/// applied, in order. After a reconnect, or a session expiry (the watch is added again), the whole
/// tree is read again and compared, so changes made meanwhile are not missed.
final class WatchedCache: Sendable {
    let client: ZooKeeperClient
    let root: String
    let recursive: Bool

    private struct State {
        var nodes: [String: NodeData] = [:]
        var listeners: [Int: AsyncStream<CacheEvent>.Continuation] = [:]
        var nextListener = 0
        var loop: Task<Void, Never>?
        var watch: ZooKeeperWatch?
        var started = false
        var closed = false
    }

    private enum Signal {
        case event(WatchedEvent)
        case reconnected
        case watchEnded
    }

    private let state = Mutex(State())
    private let signals = AsyncStream<Signal>.makeStream()

    init(client: ZooKeeperClient, root: String, recursive: Bool) {
        self.client = client
        self.root = root
        self.recursive = recursive
    }

    /// Adds the watch, reads the tree (emitting `added` for each node) and starts following changes.
    /// Connection loss and session expiry on the way are waited out.
    /// - Throws: `ZooKeeperError` `.apiError` when started before (or closed).
    func start() async throws {
        let first = state.withLock { state in
            defer { state.started = true }
            return !state.started && !state.closed
        }
        guard first else { throw ZooKeeperError(.apiError, "the cache was started or closed before", path: root) }
        while true {
            do {
                try await addWatch()
                try await resync()
                break
            } catch let error as ZooKeeperError where error.isRecoverable {
                try await client.waitUntilConnected()
            }
        }
        let states = client.states()
        let task = Task { [signals] in
            let follower = Task {
                var wasConnected = true
                for await state in states {
                    if state.isConnected && !wasConnected { signals.continuation.yield(.reconnected) }
                    wasConnected = state.isConnected
                }
            }
            await self.run()
            follower.cancel()
        }
        let closed = state.withLock { state in
            state.loop = task
            return state.closed
        }
        if closed { task.cancel() }
    }

    /// Stops following changes and removes the watch; event streams end.
    func close() async {
        let loop = state.withLock { state in
            state.closed = true
            return state.loop
        }
        loop?.cancel()
        await loop?.value
        await shutdown()
    }

    /// Ends the signals and the listeners' streams and removes the watch (idempotent).
    private func shutdown() async {
        let (watch, listeners) = state.withLock { state in
            state.closed = true
            defer {
                state.listeners = [:]
                state.watch = nil
            }
            return (state.watch, Array(state.listeners.values))
        }
        signals.continuation.finish()
        try? await watch?.remove()
        for listener in listeners { listener.finish() }
    }

    var nodes: [String: NodeData] { state.withLock { $0.nodes } }

    func events() -> AsyncStream<CacheEvent> {
        let (stream, continuation) = AsyncStream<CacheEvent>.makeStream()
        let id: Int? = state.withLock { state in
            guard !state.closed else { return nil }
            state.nextListener += 1
            state.listeners[state.nextListener] = continuation
            return state.nextListener
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.listeners.removeValue(forKey: id) }
        }
        return stream
    }

    // MARK: Following

    private func run() async {
        for await signal in signals.stream {
            if Task.isCancelled { break }
            do {
                switch signal {
                case .event(let event): try await refresh(event)
                case .reconnected: try await resync()
                case .watchEnded:
                    try await client.waitUntilConnected()
                    try await addWatch()
                    try await resync()
                }
            } catch let error as ZooKeeperError where error.isRecoverable {
                // Read everything again once connected (a later signal may do it too).
                do {
                    try await client.waitUntilConnected()
                    signals.continuation.yield(.reconnected)
                } catch {
                    break
                }
            } catch {
                break  // closed client or cancellation: the cache stops
            }
        }
        await shutdown()
    }

    private func addWatch() async throws {
        let watch = try await client.addWatch(root, mode: recursive ? .persistentRecursive : .persistent)
        let old = state.withLock { state in
            defer { state.watch = watch }
            return state.watch
        }
        try? await old?.remove()
        Task { [signals] in
            do {
                for try await event in watch { signals.continuation.yield(.event(event)) }
                // Ended without an error: removed by close().
            } catch {
                signals.continuation.yield(.watchEnded)
            }
        }
    }

    private func refresh(_ event: WatchedEvent) async throws {
        let inScope = event.path == root || (recursive && event.path.hasPrefix(root == "/" ? "/" : root + "/"))
        guard inScope else { return }
        switch event.type {
        case .nodeCreated, .nodeDataChanged, .nodeChildrenChanged:
            do {
                apply([event.path: try await client.getData(event.path)], within: nil)
            } catch let error as ZooKeeperError where error.code == .noNode {
                apply([:], within: event.path)
            }
        case .nodeDeleted:
            apply([:], within: event.path)
        default:
            return
        }
        // A recursive watch says nothing of the parent, whose stat (children count, cversion,
        // pzxid) a creation or deletion changed: read it again too.
        if recursive && event.path != root && (event.type == .nodeCreated || event.type == .nodeDeleted) {
            let parent = NodePath.split(event.path).parent
            do {
                apply([parent: try await client.getData(parent)], within: nil)
            } catch let error as ZooKeeperError where error.code == .noNode {
                apply([:], within: parent)
            }
        }
    }

    /// Reads the whole tree and applies the differences.
    private func resync() async throws {
        var read: [String: NodeData] = [:]
        var pending = [root]
        while let path = pending.popLast() {
            do {
                let node = try await client.getData(path)
                read[path] = node
                guard recursive, node.stat.numChildren > 0 else { continue }
                for name in try await client.getChildren(path) {
                    pending.append(path == "/" ? "/" + name : path + "/" + name)
                }
            } catch let error as ZooKeeperError where error.code == .noNode {
                continue  // deleted while reading: its deletion event follows
            }
        }
        apply(read, within: root)
    }

    /// Replaces the nodes at and below `scope` (nil: only those in `read`) by `read`, emitting
    /// removals deepest first, then additions and updates parents first.
    private func apply(_ read: [String: NodeData], within scope: String?) {
        state.withLock { state in
            var events: [CacheEvent] = []
            if let scope {
                let prefix = scope == "/" ? "/" : scope + "/"
                let gone = state.nodes.keys.filter { ($0 == scope || $0.hasPrefix(prefix)) && read[$0] == nil }
                for path in gone.sorted(by: Self.deepestFirst) {
                    events.append(CacheEvent(kind: .removed, path: path, node: state.nodes.removeValue(forKey: path)!))
                }
            }
            for path in read.keys.sorted(by: { Self.deepestFirst($1, $0) }) {
                let node = read[path]!
                guard let old = state.nodes[path] else {
                    state.nodes[path] = node
                    events.append(CacheEvent(kind: .added, path: path, node: node))
                    continue
                }
                if node.stat.czxid != old.stat.czxid {
                    // Deleted and created again between two reads.
                    state.nodes[path] = node
                    events.append(CacheEvent(kind: .removed, path: path, node: old))
                    events.append(CacheEvent(kind: .added, path: path, node: node))
                } else if node.stat.mzxid > old.stat.mzxid {
                    state.nodes[path] = node
                    events.append(CacheEvent(kind: .updated, path: path, node: node))
                } else if node.stat.pzxid != old.stat.pzxid || node.stat.numChildren != old.stat.numChildren {
                    state.nodes[path] = node  // only the children changed: no event of its own
                }
                // Otherwise the read is no newer than what is held: nothing changes.
            }
            for event in events {
                for listener in state.listeners.values { listener.yield(event) }
            }
        }
    }

    /// Deeper paths first; at equal depth, in reverse name order.
    private static func deepestFirst(_ a: String, _ b: String) -> Bool {
        let depthA = a.count { $0 == "/" }
        let depthB = b.count { $0 == "/" }
        if depthA != depthB { return depthA > depthB }
        return a > b
    }
}
