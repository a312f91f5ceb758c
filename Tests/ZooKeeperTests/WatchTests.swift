import Testing
import ZooKeeper
import ZooKeeperTestSupport

/// Watches against a real Apache ZooKeeper.
@Suite(.timeLimit(.minutes(3))) struct WatchTests {
    @Test func dataWatchFiresOnceWithTheChrootedPath() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, connect in
            let writer = try await connect()
            try await zk.create("/config", data: "a".bytes)
            let watched = try await zk.watchData("/config")
            let (data, watch) = (watched.data, watched.watch)
            #expect(data == "a".bytes)
            try await writer.setData("/config", data: "b".bytes)
            // The event is delivered before the reply of a later read that shows the change.
            let newData = try await zk.getData("/config").data
            #expect(newData == "b".bytes)
            var iterator = watch.makeAsyncIterator()
            #expect(try await iterator.next() == WatchedEvent(type: .nodeDataChanged, path: "/config"))
            #expect(try await iterator.next() == nil)
        }
    }

    @Test func existsWatchOnAMissingNodeFiresOnCreation() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, connect in
            let writer = try await connect()
            let watched = try await zk.watchExists("/master")
            let (stat, watch) = (watched.stat, watched.watch)
            #expect(stat == nil)
            #expect(try await zk.checkWatches("/master", type: .data))
            try await writer.create("/master", data: "node-1".bytes, mode: .ephemeral)
            #expect(try await watch.event() == WatchedEvent(type: .nodeCreated, path: "/master"))
            let second = try await zk.watchExists("/master").watch
            try await writer.close()
            #expect(try await second.event() == WatchedEvent(type: .nodeDeleted, path: "/master"))
        }
    }

    @Test func childWatchAndGlobalEvents() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, connect in
            let writer = try await connect()
            try await zk.create("/services")
            let events = zk.events()
            let watched = try await zk.watchChildren("/services")
            let (children, watch) = (watched.children, watched.watch)
            #expect(children.isEmpty)
            try await writer.create("/services/a")
            #expect(try await watch.event() == WatchedEvent(type: .nodeChildrenChanged, path: "/services"))
            #expect(try await next(events) == WatchedEvent(type: .nodeChildrenChanged, path: "/services"))
        }
    }

    @Test func persistentRecursiveWatchSeesTheWholeSubtree() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, connect in
            let writer = try await connect()
            try await zk.create("/config")
            let watch = try await zk.addWatch("/config", mode: .persistentRecursive)
            try await writer.create("/config/db", data: "x".bytes)
            try await writer.create("/config/db/url", data: "y".bytes)
            try await writer.setData("/config/db/url", data: "z".bytes)
            try await writer.delete("/config/db/url")
            var iterator = watch.makeAsyncIterator()
            var seen: [WatchedEvent] = []
            for _ in 0..<4 { seen.append(try #require(try await iterator.next())) }
            #expect(
                seen == [
                    WatchedEvent(type: .nodeCreated, path: "/config/db"),
                    WatchedEvent(type: .nodeCreated, path: "/config/db/url"),
                    WatchedEvent(type: .nodeDataChanged, path: "/config/db/url"),
                    WatchedEvent(type: .nodeDeleted, path: "/config/db/url"),
                ])
            try await watch.remove()
            #expect(try await iterator.next() == nil)
            // 3.8 checks persistent watches only as `any` (types 4 and 5 arrived in 3.9).
            #expect(try await zk.checkWatches("/config", type: .any) == false)
        }
    }

    @Test func persistentWatchReportsChildrenAndData() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, connect in
            let writer = try await connect()
            try await zk.create("/node")
            let watch = try await zk.addWatch("/node", mode: .persistent)
            try await writer.setData("/node", data: "1".bytes)
            try await writer.create("/node/child")
            try await writer.setData("/node", data: "2".bytes)
            var iterator = watch.makeAsyncIterator()
            #expect(try await iterator.next() == WatchedEvent(type: .nodeDataChanged, path: "/node"))
            #expect(try await iterator.next() == WatchedEvent(type: .nodeChildrenChanged, path: "/node"))
            #expect(try await iterator.next() == WatchedEvent(type: .nodeDataChanged, path: "/node"))
        }
    }

    @Test func removeWatchesEndsTheWatchAndTheServerForgetsIt() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, _ in
            try await zk.create("/w")
            let watch = try await zk.watchData("/w").watch
            #expect(try await zk.checkWatches("/w", type: .data))
            try await zk.removeWatches("/w", type: .data)
            var iterator = watch.makeAsyncIterator()
            #expect(try await iterator.next() == nil)
            #expect(try await zk.checkWatches("/w", type: .data) == false)
            await #expect(throws: ZooKeeperError(.noWatcher, path: "/w")) {
                try await zk.removeWatches("/w", type: .data)
            }
        }
    }

    @Test func removingAOneShotWatchHandleRemovesItOnTheServer() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, _ in
            try await zk.create("/h")
            let first = try await zk.watchData("/h").watch
            let second = try await zk.watchData("/h").watch
            try await first.remove()
            // The second watcher still needs the server's watch.
            #expect(try await zk.checkWatches("/h", type: .data))
            try await second.remove()
            #expect(try await zk.checkWatches("/h", type: .data) == false)
        }
    }

    /// "é" as one code point and "e" with a combining accent are two nodes to ZooKeeper (Java
    /// compares code units); a watch on one must not fire for the other, also under a chroot
    /// whose name holds one of them.
    @Test func canonicallyEquivalentPathsAreDifferentNodes() async throws {
        try await SharedApacheZooKeeper.withClient { zk, root, _ in
            let (composed, decomposed) = ("/\u{E9}", "/e\u{301}")
            try await zk.create(composed, data: "one")
            try await zk.create(decomposed, data: "two")
            #expect(
                Set(try await zk.getChildren("/").map { Array($0.utf8) }) == [
                    Array("\u{E9}".utf8), Array("e\u{301}".utf8),
                ])
            let onComposed = try await zk.watchData(composed)
            let onDecomposed = try await zk.watchData(decomposed)
            try await zk.setData(decomposed, data: "changed")
            // Swift's == would call the two paths equal: compare their code units.
            #expect(Array(try await onDecomposed.watch.event().path.utf8) == Array(decomposed.utf8))
            // The other watch is still there, for its own node.
            try await zk.setData(composed, data: "changed")
            #expect(Array(try await onComposed.watch.event().path.utf8) == Array(composed.utf8))

            let chrooted = try await ZooKeeperClient.connect(
                try await SharedApacheZooKeeper.connectString() + root + decomposed,
                configuration: SharedApacheZooKeeper.configuration())
            try await chrooted.create("/inside")
            #expect(try await zk.getChildren(decomposed) == ["inside"])
            #expect(try await zk.getChildren(composed) == [])
            let inside = try await chrooted.watchData("/inside")
            try await zk.setData(decomposed + "/inside", data: "x")
            #expect(try await inside.watch.event() == WatchedEvent(type: .nodeDataChanged, path: "/inside"))
            _ = try await chrooted.close()
        }
    }
}
