import Testing
import ZooKeeperProtocol

@testable import ZooKeeperServer

/// The server's watch tables, and the path sets behind their index by connection.
@Suite struct ServerWatchManagerTests {
    /// A closing connection's watches go through the index by connection; taking them away one
    /// path at a time must leave the same tables, through adds, removals and triggers that use
    /// up standard watches (and so must leave that index too).
    @Test func aClosingConnectionLosesExactlyTheWatchesItHadLeft() {
        var generator = SystemRandomNumberGenerator()
        let paths = ["/", "/a", "/a/b", "/a/b/c", "/d", "/e\u{301}", "/\u{e9}"]
        let events: [EventType] = [.nodeCreated, .nodeDeleted, .nodeDataChanged, .nodeChildrenChanged]
        for _ in 0..<200 {
            var manager = ServerWatchManager()
            for _ in 0..<60 {
                let path = paths.randomElement(using: &generator)!
                let connection = ConnectionID.random(in: 1...5, using: &generator)
                switch Int.random(in: 0..<10, using: &generator) {
                case 0..<6:
                    manager.add(ServerWatchManager.Table.allCases.randomElement()!, path: path, connection: connection)
                case 6..<8: _ = manager.trigger(events.randomElement()!, path: path)
                default:
                    _ = manager.remove(
                        path: path, type: [.children, .data, .any].randomElement()!, connection: connection)
                }
            }
            let closing = ConnectionID.random(in: 1...5, using: &generator)
            var oneByOne = manager
            for watch in manager.all where watch.connection == closing {
                _ = oneByOne.remove(path: watch.path, type: .any, connection: closing)
            }
            manager.removeAll(connection: closing)
            #expect(Set(manager.all.map { "\($0)" }) == Set(oneByOne.all.map { "\($0)" }))
            #expect(!manager.all.contains { $0.connection == closing })
            for path in paths {
                for event in events {
                    var (left, right) = (manager, oneByOne)
                    #expect(left.trigger(event, path: path) == right.trigger(event, path: path))
                }
            }
            // A connection closed again, or one that never watched, changes nothing.
            let before = Set(manager.all.map { "\($0)" })
            manager.removeAll(connection: closing)
            manager.removeAll(connection: 99)
            #expect(Set(manager.all.map { "\($0)" }) == before)
        }
    }

    @Test func aPathSetAgreesWithASet() {
        var generator = SystemRandomNumberGenerator()
        // "e\u{301}" and "\u{e9}" are equal Strings but different paths.
        let paths = ["/a", "/b", "/c", "/e\u{301}", "/\u{e9}"].map(ExactString.init)
        for _ in 0..<500 {
            var set = PathSet()
            var reference = Set<ExactString>()
            for _ in 0..<20 {
                let path = paths.randomElement(using: &generator)!
                if Bool.random(using: &generator) {
                    #expect(set.insert(path) == reference.insert(path).inserted)
                } else {
                    #expect(set.remove(path) == (reference.remove(path) != nil))
                }
                #expect(set.count == reference.count)
                #expect(set.isEmpty == reference.isEmpty)
                #expect(Set(set) == reference)
            }
        }
    }
}
