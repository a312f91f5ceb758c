import Testing
import ZooKeeperProtocol
import ZooKeeperTestSupport

@testable import ZooKeeper

@Suite(.timeLimit(.minutes(3))) struct WatchRegistryTests {
    let w1 = WatcherID(rawValue: 1)
    let w2 = WatcherID(rawValue: 2)
    let w3 = WatcherID(rawValue: 3)

    @Test func oneShotDataWatchFiresOnce() {
        var registry = WatchRegistry()
        registry.add(.data, path: "/a", watcher: w1)
        #expect(registry.trigger(.nodeDataChanged, path: "/a") == [w1])
        #expect(registry.trigger(.nodeDataChanged, path: "/a") == [])
        #expect(registry.isEmpty)
    }

    @Test func deletionFiresDataExistAndChildWatches() {
        var registry = WatchRegistry()
        registry.add(.data, path: "/a", watcher: w1)
        registry.add(.child, path: "/a", watcher: w2)
        registry.add(.child, path: "/b", watcher: w3)
        #expect(registry.trigger(.nodeDeleted, path: "/a") == [w1, w2])
        #expect(registry.paths(.child) == ["/b"])
    }

    @Test func childEventReachesOnlyChildWatches() {
        var registry = WatchRegistry()
        registry.add(.data, path: "/a", watcher: w1)
        registry.add(.child, path: "/a", watcher: w2)
        #expect(registry.trigger(.nodeChildrenChanged, path: "/a") == [w2])
        #expect(registry.paths(.data) == ["/a"])
    }

    @Test func existWatchFiresOnCreation() {
        var registry = WatchRegistry()
        registry.add(.exist, path: "/new", watcher: w1)
        #expect(registry.trigger(.nodeCreated, path: "/new") == [w1])
    }

    @Test func persistentWatchesStayAndRecursiveOnesSkipChildEvents() {
        var registry = WatchRegistry()
        registry.add(.persistent, path: "/a", watcher: w1)
        registry.add(.persistentRecursive, path: "/", watcher: w2)
        registry.add(.persistentRecursive, path: "/a", watcher: w3)
        // Recursive watchers are visited from the node up to the root.
        #expect(registry.trigger(.nodeDataChanged, path: "/a/b/c") == [w3, w2])
        #expect(registry.trigger(.nodeChildrenChanged, path: "/a") == [w1])
        #expect(registry.trigger(.nodeCreated, path: "/a") == [w1, w3, w2])
        #expect(registry.trigger(.nodeCreated, path: "/ab") == [w2])
        #expect(!registry.isEmpty)
    }

    @Test func removingTheLastWatcherReportsTheEmptiedRegistration() {
        var registry = WatchRegistry()
        registry.add(.persistent, path: "/a", watcher: w1)
        registry.add(.persistent, path: "/a", watcher: w2)
        #expect(registry.remove(watcher: w1).isEmpty)
        let emptied = registry.remove(watcher: w2)
        #expect(emptied.count == 1 && emptied[0].kind == .persistent && emptied[0].path == "/a")
    }

    @Test func removeByTypeCoversTheRightTables() {
        var registry = WatchRegistry()
        registry.add(.data, path: "/a", watcher: w1)
        registry.add(.exist, path: "/a", watcher: w2)
        registry.add(.child, path: "/a", watcher: w3)
        #expect(registry.remove(path: "/a", type: .data) == [w1, w2])
        #expect(registry.remove(path: "/a", type: .any) == [w3])
    }

    @Test func reregistrationUsesSetWatchesUnlessPersistentWatchesExist() throws {
        var registry = WatchRegistry()
        registry.add(.data, path: "/d", watcher: w1)
        registry.add(.exist, path: "/e", watcher: w1)
        registry.add(.child, path: "/c", watcher: w1)
        let plain = registry.reregistrationRequests(relativeZxid: 9)
        #expect(plain.count == 1)
        #expect(plain[0].fitsSetWatches)
        #expect(
            plain[0].asSetWatches
                == SetWatchesRequest(relativeZxid: 9, dataWatches: ["/d"], existWatches: ["/e"], childWatches: ["/c"]))
        registry.add(.persistentRecursive, path: "/r", watcher: w2)
        let withPersistent = try #require(registry.reregistrationRequests(relativeZxid: 9).first)
        #expect(!withPersistent.fitsSetWatches)
        #expect(withPersistent.persistentRecursiveWatches == ["/r"])
    }

    @Test func reregistrationIsSplitIntoBatchesUnderTheLimit() {
        var registry = WatchRegistry()
        let paths = (0..<100).map { "/node-\(String(repeating: "x", count: 40))-\($0)" }
        for path in paths { registry.add(.data, path: path, watcher: w1) }
        let batches = registry.reregistrationRequests(relativeZxid: 1, maxPathBytes: 1000)
        #expect(batches.count > 1)
        for batch in batches { #expect(batch.dataWatches.reduce(0) { $0 + $1.utf8.count } <= 1000) }
        #expect(Set(batches.flatMap(\.dataWatches)) == Set(paths))
    }

    @Test func ancestors() {
        #expect(NodePath.selfAndAncestors(of: "/a/b") == ["/a/b", "/a", "/"])
        #expect(NodePath.selfAndAncestors(of: "/") == ["/"])
        #expect(NodePath.split("/a/b") == ("/a", "b"))
        #expect(NodePath.split("/a") == ("/", "a"))
        // A name may begin with a combining mark: paths are cut at the slash's code unit.
        for path in ["/a/b", "/a", "/long-name/of-a-node-0000012345", "/e\u{301}/\u{301}x", "/日本/語"] {
            #expect(NodePath.parent(of: path) == NodePath.split(path).parent, "\(path)")
        }
        #expect(NodePath.parent(of: "/e/\u{301}x").utf8.count == 2)
    }
}
