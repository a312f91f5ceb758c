import ZooKeeperProtocol

/// Identifies one client connection on the server.
typealias ConnectionID = UInt64

/// The server's watches, kept as Apache ZooKeeper 3.8 keeps them: two watch managers, one for
/// data (getData and exists watches) and one for children (getChildren watches), each holding
/// per path the connections that watch it and each one's mode. A persistent or persistent
/// recursive watch (addWatch) is in both, and each half goes its own way: removing the watches
/// of type children takes away its children half only, after which it still reports data
/// changes. A standard watch set on a path where the same connection has a persistent one
/// replaces it in that manager, as in Apache.
struct ServerWatchManager: Sendable {
    /// What a watch was set by: getData or exists, getChildren, or addWatch in either mode.
    enum Table: CaseIterable, Hashable, Sendable {
        case data, child, persistent, persistentRecursive
    }

    private var data = Watches()
    private var child = Watches()

    mutating func add(_ table: Table, path: String, connection: ConnectionID) {
        switch table {
        case .data: data.add(path, connection, .standard)
        case .child: child.add(path, connection, .standard)
        case .persistent, .persistentRecursive:
            data.add(path, connection, table == .persistent ? .persistent : .persistentRecursive)
            child.add(path, connection, table == .persistent ? .persistent : .persistentRecursive)
        }
    }

    /// Removes a connection's watches of a type (children, data or any) on a path; returns
    /// whether any was removed.
    mutating func remove(path: String, type: WatcherType, connection: ConnectionID) -> Bool {
        let key = ExactString(path)
        switch type {
        case .children: return child.remove(key, connection)
        case .data: return data.remove(key, connection)
        default:
            let removedChild = child.remove(key, connection)
            return data.remove(key, connection) || removedChild
        }
    }

    /// What checkWatches answers: as Apache ZooKeeper 3.8 does, whether the path has a watch of
    /// the type at all (from any connection; the asking connection is not consulted).
    func has(path: String, type: WatcherType) -> Bool {
        let key = ExactString(path)
        switch type {
        case .children: return child.isWatched(key)
        case .data: return data.isWatched(key)
        default: return child.isWatched(key) || data.isWatched(key)
        }
    }

    /// Removes every watch of a connection (it closed).
    mutating func removeAll(connection: ConnectionID) {
        data.removeAll(connection)
        child.removeAll(connection)
    }

    /// The connections an event reaches, consuming the standard watches it fires. A connection
    /// is told once per event even when several of its watches match. NodeChildrenChanged is
    /// triggered on the parent's path.
    mutating func trigger(_ type: EventType, path: String) -> [ConnectionID] {
        var fired = Set<ConnectionID>()
        switch type {
        case .nodeCreated, .nodeDataChanged:
            fired = data.trigger(path, type)
        case .nodeDeleted:
            fired = data.trigger(path, type).union(child.trigger(path, type))
        case .nodeChildrenChanged:
            fired = child.trigger(path, type)
        default:
            break
        }
        return fired.sorted()
    }

    /// The number of watches, watched paths and watching connections, as `wchs` counts them:
    /// Apache ZooKeeper reports its data watches only.
    var summary: (watches: Int, paths: Int, connections: Int) {
        var connections = Set<ConnectionID>()
        var watches = 0
        for (_, watchers) in data.byPath {
            connections.formUnion(watchers.keys)
            watches += watchers.count
        }
        return (watches, data.byPath.count, connections.count)
    }

    /// The watches in both managers, as `mntr`'s `zk_watch_count` counts them (Apache's
    /// `DataTree.getWatchCount`): a persistent watch counts in each.
    var count: Int {
        [data, child].reduce(0) { total, manager in total + manager.byPath.values.reduce(0) { $0 + $1.count } }
    }

    /// Every watch: what set it, its path and connection.
    var all: [(table: Table, path: String, connection: ConnectionID)] {
        var seen = Set<Watch>()
        for (manager, standard) in [(data, Table.data), (child, Table.child)] {
            for (path, watchers) in manager.byPath {
                for (connection, mode) in watchers {
                    let table: Table =
                        switch mode {
                        case .standard: standard
                        case .persistent: .persistent
                        case .persistentRecursive: .persistentRecursive
                        }
                    seen.insert(Watch(table: table, path: path, connection: connection))
                }
            }
        }
        return seen.map { ($0.table, $0.path.string, $0.connection) }
    }

    /// Data watches by connection, then path (for `wchc` and `wchp`, which show Apache's data
    /// watches only).
    func byConnection() -> [ConnectionID: Set<String>] {
        var result: [ConnectionID: Set<String>] = [:]
        for (path, watchers) in data.byPath {
            for connection in watchers.keys { result[connection, default: []].insert(path.string) }
        }
        return result
    }

    private struct Watch: Hashable {
        var table: Table
        var path: ExactString
        var connection: ConnectionID
    }
}

/// One of Apache's watch managers: the watching connections of each path, with their modes.
private struct Watches: Sendable {
    enum Mode: Sendable {
        case standard, persistent, persistentRecursive
    }

    private(set) var byPath: [ExactString: [ConnectionID: Mode]] = [:]
    /// The paths each connection watches (Apache's `watch2Paths`), so that a closing connection's
    /// watches are found without going through every watched path: 10k watching connections
    /// closing at once held the event loop for 6 s that way.
    private var byConnection: [ConnectionID: PathSet] = [:]
    /// How many recursive watches there are: without any, an event concerns its own path only.
    private var recursive = 0

    mutating func add(_ path: String, _ connection: ConnectionID, _ mode: Mode) {
        let key = ExactString(path)
        let old = byPath[key, default: [:]].updateValue(mode, forKey: connection)
        if old == nil { byConnection[connection, default: PathSet()].insert(key) }
        recursive += (mode == .persistentRecursive ? 1 : 0) - (old == .persistentRecursive ? 1 : 0)
    }

    func isWatched(_ path: ExactString) -> Bool { byPath[path] != nil }

    mutating func remove(_ path: ExactString, _ connection: ConnectionID) -> Bool {
        guard removeWatcher(connection, from: path) else { return false }
        removeFromIndex(path, of: connection)
        return true
    }

    mutating func removeAll(_ connection: ConnectionID) {
        guard let paths = byConnection.removeValue(forKey: connection) else { return }
        for path in paths { removeWatcher(connection, from: path) }
    }

    /// Removes a connection's watch on a path from `byPath`; returns whether there was one.
    @discardableResult
    private mutating func removeWatcher(_ connection: ConnectionID, from path: ExactString) -> Bool {
        guard let old = byPath[path]?.removeValue(forKey: connection) else { return false }
        if byPath[path]?.isEmpty == true { byPath[path] = nil }
        if old == .persistentRecursive { recursive -= 1 }
        return true
    }

    /// Removes a path from those `byConnection` lists for a connection.
    private mutating func removeFromIndex(_ path: ExactString, of connection: ConnectionID) {
        byConnection[connection]?.remove(path)
        if byConnection[connection]?.isEmpty == true { byConnection[connection] = nil }
    }

    /// The connections whose watches `type` on `path` fires: any watch on the path itself
    /// (standard ones are used up), and recursive ones on it or an ancestor, except for
    /// NodeChildrenChanged, which recursive watches do not report.
    mutating func trigger(_ path: String, _ type: EventType) -> Set<ConnectionID> {
        var fired = Set<ConnectionID>()
        let paths = recursive > 0 ? NodePath.selfAndAncestors(of: path) : [path]
        for (index, localPath) in paths.enumerated() {
            let key = ExactString(localPath)
            guard var watchers = byPath[key] else { continue }
            for (connection, mode) in watchers {
                if mode == .persistentRecursive {
                    if type != .nodeChildrenChanged { fired.insert(connection) }
                } else if index == 0 {
                    fired.insert(connection)
                    if mode == .standard {
                        watchers[connection] = nil
                        removeFromIndex(key, of: connection)
                    }
                }
            }
            byPath[key] = watchers.isEmpty ? nil : watchers
        }
        return fired
    }
}
