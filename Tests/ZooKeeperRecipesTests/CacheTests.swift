import Synchronization
import Testing
import ZooKeeper
import ZooKeeperRecipes
import ZooKeeperTestSupport

@Suite(.timeLimit(.minutes(3))) struct CacheTests {
    @Test(arguments: Target.allCases)
    func aTreeCacheFollowsAnotherClientsChangesInOrder(_ target: Target) async throws {
        try await target.run { connect, root in
            let writer = try await connect()
            try await writer.ensurePath(root)
            try await writer.create(root + "/tree", data: "top".bytes)
            try await writer.create(root + "/tree/a", data: "a1".bytes)
            let cache = TreeCache(client: try await connect(), path: root + "/tree")
            let recorder = EventRecorder(cache.events(), root: root)
            try await cache.start()
            #expect(cache.snapshot().mapValues(\.data) == [root + "/tree": "top".bytes, root + "/tree/a": "a1".bytes])

            // One change at a time, each waited for, so the expected events are exact.
            try await writer.create(root + "/tree/b", data: "b1".bytes)
            try await eventually { cache.node(at: root + "/tree/b")?.data == "b1".bytes }
            try await writer.setData(root + "/tree/b", data: "b2".bytes)
            try await eventually { cache.node(at: root + "/tree/b")?.data == "b2".bytes }
            try await writer.create(root + "/tree/b/c", data: "c1".bytes)
            try await eventually { cache.node(at: root + "/tree/b/c") != nil }
            try await writer.create(root + "/tree/b/c/d")
            try await eventually { cache.node(at: root + "/tree/b/c/d") != nil }
            #expect(cache.children(of: root + "/tree") == ["a", "b"])
            #expect(cache.children(of: root + "/tree/b") == ["c"])
            try await writer.delete(root + "/tree/b/c/d")
            try await eventually { cache.node(at: root + "/tree/b/c/d") == nil }
            try await writer.delete(root + "/tree/b/c")
            try await eventually { cache.node(at: root + "/tree/b/c") == nil }
            try await writer.delete(root + "/tree/a")
            try await eventually { cache.node(at: root + "/tree/a") == nil }
            try await writer.setData(root + "/tree", data: "top2".bytes)
            try await eventually { cache.node(at: root + "/tree")?.data == "top2".bytes }

            // The snapshot agrees with the server, stats included.
            #expect(cache.snapshot().count == 2)
            for (path, node) in cache.snapshot() {
                #expect(node == (try await writer.getData(path)))
            }
            try await eventually { recorder.lines.count == 10 }
            #expect(
                recorder.lines == [
                    "added /tree top", "added /tree/a a1", "added /tree/b b1", "updated /tree/b b2",
                    "added /tree/b/c c1", "added /tree/b/c/d ", "removed /tree/b/c/d ", "removed /tree/b/c c1",
                    "removed /tree/a a1", "updated /tree top2",
                ])
            await cache.close()
            // After close, the event stream has ended.
            try await eventually { recorder.finished }
        }
    }

    @Test(arguments: Target.allCases)
    func aNodeCacheFollowsOneNode(_ target: Target) async throws {
        try await target.run { connect, root in
            let writer = try await connect()
            try await writer.ensurePath(root)
            let cache = NodeCache(client: try await connect(), path: root + "/flag")
            let recorder = EventRecorder(cache.events(), root: root)
            try await cache.start()
            #expect(cache.current == nil)
            await #expect(throws: ZooKeeperError.self) { try await cache.start() }
            try await writer.create(root + "/flag", data: "on".bytes)
            try await eventually { cache.current?.data == "on".bytes }
            // A child is not the node's business.
            try await writer.create(root + "/flag/child")
            try await writer.setData(root + "/flag", data: "off".bytes)
            try await eventually { cache.current?.data == "off".bytes }
            #expect(cache.current?.stat == (try await writer.exists(root + "/flag")))
            try await writer.delete(root + "/flag/child")
            try await writer.delete(root + "/flag")
            try await eventually { cache.current == nil }
            try await eventually { recorder.lines.count == 3 }
            #expect(recorder.lines == ["added /flag on", "updated /flag off", "removed /flag off"])
            await cache.close()
        }
    }

    @Test(arguments: Target.allCases)
    func aTreeCacheCatchesUpAfterItsSessionExpired(_ target: Target) async throws {
        try await target.runExpiring { proxied, connect, root, expire, _ in
            let writer = try await connect()
            try await writer.ensurePath(root + "/tree/a")
            try await writer.create(root + "/tree/b", data: "b1".bytes)
            let cache = TreeCache(client: proxied, path: root + "/tree")
            let recorder = EventRecorder(cache.events(), root: root)
            try await cache.start()
            try await proxied.create(root + "/marker", mode: .ephemeral)
            try await eventually { recorder.lines == ["added /tree ", "added /tree/a ", "added /tree/b b1"] }

            // While the cache's client is cut off and its session expires, the tree changes.
            try await expire {
                guard try await writer.exists(root + "/marker") == nil else { return false }
                try await writer.delete(root + "/tree/a")
                try await writer.setData(root + "/tree/b", data: "b2".bytes)
                try await writer.create(root + "/tree/c", data: "c1".bytes)
                return true
            }
            try await eventually { cache.node(at: root + "/tree/c") != nil && cache.node(at: root + "/tree/a") == nil }
            try await eventually { recorder.lines.count == 6 }
            #expect(
                Set(recorder.lines.dropFirst(3)) == ["removed /tree/a ", "updated /tree/b b2", "added /tree/c c1"])
            // And the new session's watch follows later changes.
            try await writer.create(root + "/tree/c/d", data: "d1".bytes)
            try await eventually { cache.node(at: root + "/tree/c/d") != nil }
            try await eventually { recorder.lines.count == 7 }
            #expect(recorder.lines.last == "added /tree/c/d d1")
            #expect(recorder.lines.count == 7)
            await cache.close()
        }
    }
}

extension CacheTests {
    @Test(arguments: Target.allCases)
    func aTreeCacheCatchesUpAfterAReconnect(_ target: Target) async throws {
        try await target.runExpiring { proxied, connect, root, _, proxy in
            let writer = try await connect()
            try await writer.ensurePath(root + "/tree/a")
            let cache = TreeCache(client: proxied, path: root + "/tree")
            let recorder = EventRecorder(cache.events(), root: root)
            try await cache.start()
            try await eventually { recorder.lines == ["added /tree ", "added /tree/a "] }

            // The connection drops; the tree changes before the client is back on its session.
            proxy.block()
            try await eventually { try await proxied.session().state == .suspended }
            try await writer.setData(root + "/tree/a", data: "a2".bytes)
            try await writer.create(root + "/tree/b", data: "b1".bytes)
            proxy.unblock()
            try await eventually {
                cache.node(at: root + "/tree/b") != nil && cache.node(at: root + "/tree/a")?.data == "a2".bytes
            }
            try await eventually { recorder.lines.count == 4 }
            #expect(Set(recorder.lines.dropFirst(2)) == ["updated /tree/a a2", "added /tree/b b1"])
            #expect(recorder.lines.count == 4)
            await cache.close()
        }
    }
}

/// Collects the events of a cache as they arrive, as `KIND PATH DATA` lines (PATH below `root`).
final class EventRecorder: Sendable {
    private let state = Mutex<(lines: [String], finished: Bool)>(([], false))
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(_ events: AsyncStream<CacheEvent>, root: String) {
        let started = Task { [weak self] in
            for await event in events {
                let line =
                    "\(event.kind) \(event.path.dropFirst(root.count)) \(String(decoding: event.node.data, as: UTF8.self))"
                self?.state.withLock { $0.lines.append(line) }
            }
            self?.state.withLock { $0.finished = true }
        }
        task.withLock { $0 = started }
    }

    deinit { task.withLock { $0?.cancel() } }

    var lines: [String] { state.withLock { $0.lines } }
    var finished: Bool { state.withLock { $0.finished } }
}
