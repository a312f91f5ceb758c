import ZooKeeperProtocol

/// A set of paths that allocates nothing while it holds at most one: what most sessions own
/// (one ephemeral node: a lock, a member, a candidate) and most connections watch. A `Set` of
/// one path was about 100 bytes of memory for each of 10k sessions.
struct PathSet: Sendable, Sequence {
    private enum Storage: Sendable {
        case empty
        case one(ExactString)
        case many(Set<ExactString>)
    }

    private var storage = Storage.empty

    init() {}

    var isEmpty: Bool {
        if case .empty = storage { return true }
        return false
    }

    var count: Int {
        switch storage {
        case .empty: 0
        case .one: 1
        case .many(let paths): paths.count
        }
    }

    /// Adds `path`; returns whether it was not there yet.
    @discardableResult
    mutating func insert(_ path: ExactString) -> Bool {
        switch storage {
        case .empty:
            storage = .one(path)
            return true
        case .one(let only):
            guard only != path else { return false }
            storage = .many([only, path])
            return true
        case .many(var paths):
            // Moved out while it changes, so that the set is not copied.
            storage = .empty
            let inserted = paths.insert(path).inserted
            storage = .many(paths)
            return inserted
        }
    }

    /// Removes `path`; returns whether it was there.
    @discardableResult
    mutating func remove(_ path: ExactString) -> Bool {
        switch storage {
        case .empty:
            return false
        case .one(let only):
            guard only == path else { return false }
            storage = .empty
            return true
        case .many(var paths):
            storage = .empty
            let removed = paths.remove(path) != nil
            storage = paths.count == 1 ? .one(paths.first!) : .many(paths)
            return removed
        }
    }

    func makeIterator() -> Array<ExactString>.Iterator {
        switch storage {
        case .empty: [].makeIterator()
        case .one(let only): [only].makeIterator()
        case .many(let paths): Array(paths).makeIterator()
        }
    }
}
