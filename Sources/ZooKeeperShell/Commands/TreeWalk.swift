import ArgumentParser
import ZooKeeper

/// A subtree as a walk found it: its nodes, parents before children, and the nodes the session
/// may not read (NoAuth), whose data and children were skipped. Nodes deleted during the walk
/// are left out without a word.
///
/// Like find(1), the subtree commands print what they could read, then one line on stderr per
/// skipped subtree (``finish(_:)``), and exit with status 6.
struct TreeWalk {
    let entries: [TreeCommand.Entry]
    /// The nodes that could not be read, in the order found.
    private(set) var unreadable: [String] = []
    private var skipped: Set<String> = []

    init(entries: [TreeCommand.Entry]) {
        self.entries = entries
    }

    var paths: [String] { entries.map(\.path) }

    /// Notes that `path` could not be read: it is reported once, however many reads of it failed.
    mutating func skip(_ path: String) {
        if skipped.insert(path).inserted { unreadable.append(path) }
    }

    /// What each of `paths` gave, for the nodes that gave something: a node gone meanwhile is
    /// left out, one that may not be read is left out and noted (``skip(_:)``). Any other
    /// failure is thrown.
    mutating func readable<Value>(_ paths: [String], _ results: [Result<Value, ZooKeeperError>]) throws
        -> [(path: String, value: Value)]
    {
        var values: [(path: String, value: Value)] = []
        for (path, result) in zip(paths, results) {
            switch result {
            case .success(let value): values.append((path, value))
            case .failure(let error) where error.code == .noNode: continue
            case .failure(let error) where error.code == .noAuth: skip(path)
            case .failure(let error): throw error
            }
        }
        return values
    }

    /// The whole subtree, for commands that must not act on part of it: throws NoAuth for the
    /// first node that could not be read.
    func complete() throws -> [TreeCommand.Entry] {
        if let path = unreadable.first { throw ZooKeeperError(.noAuth, path: path) }
        return entries
    }

    /// Reports each skipped subtree on stderr, one line each, then fails with status 6 if there
    /// was any.
    func finish(_ output: Output) throws {
        guard !unreadable.isEmpty else { return }
        for path in unreadable { output.error("zk: \(path): not allowed to read (NoAuth); skipped") }
        throw ExitCode(ExitStatus.notAuthorized)
    }
}
