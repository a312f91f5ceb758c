import ZooKeeperProtocol

/// Identifies one local watcher: a one-shot watch, a persistent watch or a global listener.
struct WatcherID: Hashable, Sendable, Comparable {
    var rawValue: UInt64
    static func < (lhs: WatcherID, rhs: WatcherID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The client's table of watches, by server path (chroot included), as the server sees them.
///
/// Pure bookkeeping: it decides which local watchers an event reaches, which one-shot watchers
/// it consumes, and what to re-register after a reconnect. Like Java's `ZKWatchManager`.
struct WatchRegistry: Sendable {
    enum Kind: Hashable, Sendable, CaseIterable {
        /// Set by getData, or by exists on a node that exists.
        case data
        /// Set by exists on a node that does not exist.
        case exist
        /// Set by getChildren.
        case child
        /// addWatch, mode persistent.
        case persistent
        /// addWatch, mode persistent-recursive.
        case persistentRecursive

        var isPersistent: Bool { self == .persistent || self == .persistentRecursive }
    }

    /// Watchers by kind and path; paths compared code unit by code unit, as the server does.
    private var tables: [Kind: [ExactString: [WatcherID]]] = [:]

    var isEmpty: Bool { tables.values.allSatisfy(\.isEmpty) }

    /// Adds a watcher; the same id is not added twice to one path and kind.
    mutating func add(_ kind: Kind, path: String, watcher: WatcherID) {
        let path = ExactString(path)
        var watchers = tables[kind, default: [:]][path, default: []]
        guard !watchers.contains(watcher) else { return }
        watchers.append(watcher)
        tables[kind, default: [:]][path] = watchers
    }

    /// Whether any watcher of `kind` is registered on `path`.
    func contains(_ kind: Kind, path: String) -> Bool {
        !(tables[kind]?[ExactString(path)]?.isEmpty ?? true)
    }

    /// Removes one watcher wherever it is registered; returns the (kind, path) registrations that
    /// no longer have any watcher, so the caller can remove them on the server.
    mutating func remove(watcher: WatcherID) -> [(kind: Kind, path: String)] {
        var emptied: [(Kind, String)] = []
        for kind in Kind.allCases {
            guard let table = tables[kind] else { continue }
            for (path, watchers) in table where watchers.contains(watcher) {
                let rest = watchers.filter { $0 != watcher }
                tables[kind]![path] = rest.isEmpty ? nil : rest
                if rest.isEmpty { emptied.append((kind, path.string)) }
            }
        }
        return emptied
    }

    /// Removes every watcher of the kinds that `type` covers on `path` (after removeWatches).
    mutating func remove(path: String, type: WatcherType) -> [WatcherID] {
        let kinds: [Kind]
        switch type {
        case .children: kinds = [.child]
        case .data: kinds = [.data, .exist]
        case .persistent: kinds = [.persistent]
        case .persistentRecursive: kinds = [.persistentRecursive]
        default: kinds = Kind.allCases
        }
        var removed: [WatcherID] = []
        for kind in kinds {
            removed += tables[kind]?.removeValue(forKey: ExactString(path)) ?? []
        }
        return Self.unique(removed)
    }

    /// The watchers a notification reaches, consuming the one-shot ones it fires.
    mutating func trigger(_ type: EventType, path: String) -> [WatcherID] {
        var fired: [WatcherID] = []
        switch type {
        case .nodeCreated, .nodeDataChanged:
            fired += take(.data, path) + take(.exist, path)
        case .nodeDeleted:
            fired += take(.data, path) + take(.exist, path) + take(.child, path)
        case .nodeChildrenChanged:
            fired += take(.child, path)
        default:
            break
        }
        fired += tables[.persistent]?[ExactString(path)] ?? []
        if type != .nodeChildrenChanged, let recursive = tables[.persistentRecursive], !recursive.isEmpty {
            for ancestor in NodePath.selfAndAncestors(of: path) {
                fired += recursive[ExactString(ancestor)] ?? []
            }
        }
        return Self.unique(fired)
    }

    /// Removes everything, returning every watcher that was registered.
    mutating func removeAll() -> [WatcherID] {
        let all = tables.values.flatMap { $0.values.flatMap { $0 } }
        tables = [:]
        return Self.unique(all)
    }

    /// The paths to re-register after a reconnect, by kind.
    func paths(_ kind: Kind) -> [String] {
        (tables[kind] ?? [:]).filter { !$0.value.isEmpty }.keys.map(\.string).sorted()
    }

    private mutating func take(_ kind: Kind, _ path: String) -> [WatcherID] {
        tables[kind]?.removeValue(forKey: ExactString(path)) ?? []
    }

    private static func unique(_ ids: [WatcherID]) -> [WatcherID] {
        var seen = Set<WatcherID>()
        return ids.filter { seen.insert($0).inserted }
    }
}

extension WatchRegistry {
    /// The setWatches requests that re-register every watch, each under `maxPathBytes` of path
    /// text (Java's 128 KiB batching); setWatches2 only when persistent watches exist, since
    /// servers before 3.6 do not know it.
    func reregistrationRequests(relativeZxid: Int64, maxPathBytes: Int = 128 * 1024) -> [SetWatches2Request] {
        var batches: [SetWatches2Request] = []
        var current = SetWatches2Request(
            relativeZxid: relativeZxid, dataWatches: [], existWatches: [], childWatches: [],
            persistentWatches: [], persistentRecursiveWatches: [])
        var bytes = 0
        let order: [(Kind, WritableKeyPath<SetWatches2Request, [String]>)] = [
            (.data, \.dataWatches), (.exist, \.existWatches), (.child, \.childWatches),
            (.persistent, \.persistentWatches), (.persistentRecursive, \.persistentRecursiveWatches),
        ]
        for (kind, keyPath) in order {
            for path in paths(kind) {
                if bytes > 0 && bytes + path.utf8.count > maxPathBytes {
                    batches.append(current)
                    current.dataWatches = []
                    current.existWatches = []
                    current.childWatches = []
                    current.persistentWatches = []
                    current.persistentRecursiveWatches = []
                    bytes = 0
                }
                current[keyPath: keyPath].append(path)
                bytes += path.utf8.count
            }
        }
        if bytes > 0 { batches.append(current) }
        return batches
    }
}

extension SetWatches2Request {
    /// Whether the batch can travel as the older setWatches (no persistent watches in it).
    var fitsSetWatches: Bool { persistentWatches.isEmpty && persistentRecursiveWatches.isEmpty }

    var asSetWatches: SetWatchesRequest {
        SetWatchesRequest(
            relativeZxid: relativeZxid, dataWatches: dataWatches, existWatches: existWatches,
            childWatches: childWatches)
    }
}
