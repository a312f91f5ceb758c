import ZooKeeperProtocol

/// Identifies one client connection on the server.
typealias ConnectionID = UInt64

/// The server's watch tables (`WatchManager`): which connections watch which paths.
///
/// exists and getData share the data table (an exists watch on a missing node lives there too);
/// getChildren uses the child table; addWatch the persistent ones. Standard watches fire once.
struct ServerWatchManager: Sendable {
    enum Table: CaseIterable, Sendable {
        case data, child, persistent, persistentRecursive
    }

    private var tables: [Table: [ExactString: Set<ConnectionID>]] = [:]

    mutating func add(_ table: Table, path: String, connection: ConnectionID) {
        tables[table, default: [:]][ExactString(path), default: []].insert(connection)
    }

    func contains(_ table: Table, path: String, connection: ConnectionID) -> Bool {
        tables[table]?[ExactString(path)]?.contains(connection) ?? false
    }

    /// Removes a connection's watches of a type on a path; returns whether any was removed.
    mutating func remove(path: String, type: WatcherType, connection: ConnectionID) -> Bool {
        var removed = false
        let path = ExactString(path)
        for table in Self.tables(for: type) {
            if tables[table]?[path]?.remove(connection) != nil {
                removed = true
                if tables[table]?[path]?.isEmpty == true { tables[table]?[path] = nil }
            }
        }
        return removed
    }

    /// Whether a connection has a watch of a type on a path.
    func has(path: String, type: WatcherType, connection: ConnectionID) -> Bool {
        Self.tables(for: type).contains { contains($0, path: path, connection: connection) }
    }

    static func tables(for type: WatcherType) -> [Table] {
        switch type {
        case .children: [.child]
        case .data: [.data]
        case .persistent: [.persistent]
        case .persistentRecursive: [.persistentRecursive]
        default: Table.allCases
        }
    }

    /// Removes every watch of a connection (it closed).
    mutating func removeAll(connection: ConnectionID) {
        for table in Table.allCases {
            guard var entries = tables[table] else { continue }
            for (path, var watchers) in entries where watchers.contains(connection) {
                watchers.remove(connection)
                entries[path] = watchers.isEmpty ? nil : watchers
            }
            tables[table] = entries
        }
    }

    /// The connections an event reaches, consuming the standard watches it fires. A connection
    /// is told once per event even when several of its watches match.
    mutating func trigger(_ type: EventType, path name: String) -> [ConnectionID] {
        var fired = Set<ConnectionID>()
        let path = ExactString(name)
        switch type {
        case .nodeCreated, .nodeDataChanged:
            fired.formUnion(tables[.data]?.removeValue(forKey: path) ?? [])
        case .nodeDeleted:
            fired.formUnion(tables[.data]?.removeValue(forKey: path) ?? [])
            fired.formUnion(tables[.child]?.removeValue(forKey: path) ?? [])
        case .nodeChildrenChanged:
            fired.formUnion(tables[.child]?.removeValue(forKey: path) ?? [])
        default:
            break
        }
        fired.formUnion(tables[.persistent]?[path] ?? [])
        if type != .nodeChildrenChanged, let recursive = tables[.persistentRecursive], !recursive.isEmpty {
            for ancestor in NodePath.selfAndAncestors(of: name) {
                fired.formUnion(recursive[ExactString(ancestor)] ?? [])
            }
        }
        return fired.sorted()
    }

    /// The number of watches, watched paths and watching connections (for `wchs`).
    var summary: (watches: Int, paths: Int, connections: Int) {
        var paths = Set<ExactString>()
        var connections = Set<ConnectionID>()
        var watches = 0
        for table in tables.values {
            for (path, watchers) in table {
                paths.insert(path)
                connections.formUnion(watchers)
                watches += watchers.count
            }
        }
        return (watches, paths.count, connections.count)
    }

    /// Every watch: its table, path and connection.
    var all: [(table: Table, path: String, connection: ConnectionID)] {
        tables.flatMap { table, entries in
            entries.flatMap { path, watchers in watchers.map { (table, path.string, $0) } }
        }
    }

    /// Watches by connection, then path (for `wchc`).
    func byConnection() -> [ConnectionID: Set<String>] {
        var result: [ConnectionID: Set<String>] = [:]
        for table in tables.values {
            for (path, watchers) in table {
                for connection in watchers { result[connection, default: []].insert(path.string) }
            }
        }
        return result
    }
}
