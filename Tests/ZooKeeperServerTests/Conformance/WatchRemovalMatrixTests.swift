import Testing
import ZooKeeper

/// `checkWatches` and `removeWatches` of every watcher type on a path holding each kind of watch,
/// against Apache ZooKeeper 3.8: what each answers, what is left afterwards, and which events
/// the rest still reports.
@Suite(.timeLimit(.minutes(5))) struct WatchRemovalMatrixTests {
    enum Kind: String, CaseIterable {
        case data, exists, children, persistent, persistentRecursive, dataAndPersistent, persistentThenData
        /// Another client's data watch: checkWatches on 3.8 answers for any watcher of the path.
        case othersData
    }

    static let types: [(String, WatcherType)] = [
        ("children", .children), ("data", .data), ("any", .any), ("persistent", .persistent),
        ("persistentRecursive", .persistentRecursive),
    ]

    @Test func everyWatchKindAgainstEveryType() async throws {
        try await expectSameBehaviour { t in
            let (zk, events) = try await t.connect()
            let (other, _) = try await t.connect()
            try await zk.create("/m")
            for kind in Kind.allCases {
                for (name, type) in Self.types {
                    let path = "/m/\(kind.rawValue)-\(name)"
                    if kind != .exists { try await zk.create(path) }
                    switch kind {
                    case .data: _ = try await zk.watchData(path)
                    case .exists: _ = try await zk.watchExists(path)
                    case .children: _ = try await zk.watchChildren(path)
                    case .persistent: _ = try await zk.addWatch(path, mode: .persistent)
                    case .persistentRecursive: _ = try await zk.addWatch(path, mode: .persistentRecursive)
                    case .dataAndPersistent:
                        _ = try await zk.watchData(path)
                        _ = try await zk.addWatch(path, mode: .persistent)
                    case .persistentThenData:
                        _ = try await zk.addWatch(path, mode: .persistent)
                        _ = try await zk.watchData(path)
                    case .othersData: _ = try await other.watchData(path)
                    }
                    let label = "\(kind.rawValue) watch, \(name)"
                    await t.step("\(label): check") { "\(try await zk.checkWatches(path, type: type))" }
                    await t.step("\(label): remove") {
                        try await zk.removeWatches(path, type: type)
                        return "ok"
                    }
                    for (left, leftType) in Self.types where leftType != .any {
                        await t.step("\(label): then check \(left)") {
                            "\(try await zk.checkWatches(path, type: leftType))"
                        }
                    }
                    // What the rest still reports: a change of data, a child come and gone.
                    if kind == .exists {
                        try await other.create(path)
                        try await other.delete(path)
                    } else {
                        try await other.setData(path, data: [1])
                        try await other.create(path + "/c")
                        try await other.delete(path + "/c")
                        try await other.setData(path, data: [2])
                    }
                    await t.step("\(label): events after") { try await events.drain() }
                }
            }
        }
    }
}
