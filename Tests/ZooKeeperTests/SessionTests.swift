import Testing
import ZooKeeper
import ZooKeeperTestSupport

/// Session life: states, expiry, resumption, connect failures.
@Suite(.timeLimit(.minutes(3))) struct SessionTests {
    /// Cuts a client off (through a proxy) for longer than its session timeout, as a partition would.
    func partition<T>(
        root: String, recreate: Bool = true,
        _ body: (_ zk: ZooKeeperClient, _ proxy: TCPProxy) async throws -> T
    ) async throws -> T {
        let upstream = try await SharedApacheZooKeeper.connectString()
        let proxy = try await TCPProxy.start(upstreamPort: Int(upstream.split(separator: ":").last!)!)
        defer { proxy.stop() }
        var configuration = SharedApacheZooKeeper.configuration(sessionTimeout: .seconds(1))
        configuration.recreateSessionOnExpiry = recreate
        let zk = try await ZooKeeperClient.connect("127.0.0.1:\(proxy.port)\(root)", configuration: configuration)
        do {
            let result = try await body(zk, proxy)
            try await zk.close()
            return result
        } catch {
            _ = try? await zk.close()
            throw error
        }
    }

    @Test func expiryIsAnnouncedOnceEphemeralsGoAndANewSessionStarts() async throws {
        try await SharedApacheZooKeeper.withClient { observer, root, _ in
            try await partition(root: root) { zk, proxy in
                let states = zk.states()
                try await zk.create("/member", mode: .ephemeral)
                try await observer.create("/data")
                let watch = try await zk.watchData("/data").watch
                let old = try await zk.session()
                #expect(old.timeout <= .seconds(1))

                proxy.block()
                // The server expires the session once the timeout passes without a word from us.
                try await eventually { try await observer.exists("/member") == nil }
                proxy.unblock()

                // Observed: connected, suspended, expired once, connecting, connected on a new session.
                let seen = try await collect(states, until: { $0.contains(.expired) && $0.last == .connected })
                #expect(seen.first == .connected)
                #expect(seen.contains(.suspended))
                #expect(seen.filter { $0 == .expired }.count == 1)
                #expect(seen.last == .connected)
                await #expect(throws: ZooKeeperError.self) { try await watch.event() }
                let new = try await zk.session()
                #expect(new.id != old.id && new.id != 0)
                // The new session works.
                try await zk.create("/member", mode: .ephemeral)
            }
        }
    }

    @Test func expiredClientStaysExpiredWhenNotRecreating() async throws {
        try await SharedApacheZooKeeper.withClient { observer, root, _ in
            try await partition(root: root, recreate: false) { zk, proxy in
                let states = zk.states()
                try await zk.create("/member", mode: .ephemeral)
                proxy.block()
                try await eventually { try await observer.exists("/member") == nil }
                proxy.unblock()
                try await eventually { try await zk.session().state == .expired }
                await #expect(throws: ZooKeeperError(.sessionExpired, "the session expired", path: "/x")) {
                    try await zk.create("/x")
                }
                // The state stream ends with the terminal state.
                var last: ZooKeeperClient.State?
                for await state in states { last = state }
                #expect(last == .expired)
            }
        }
    }

    @Test func shortOutageKeepsTheSessionEphemeralsAndWatches() async throws {
        try await SharedApacheZooKeeper.withClient { observer, root, _ in
            let upstream = try await SharedApacheZooKeeper.connectString()
            let proxy = try await TCPProxy.start(upstreamPort: Int(upstream.split(separator: ":").last!)!)
            defer { proxy.stop() }
            let zk = try await ZooKeeperClient.connect(
                "127.0.0.1:\(proxy.port)\(root)",
                configuration: SharedApacheZooKeeper.configuration(sessionTimeout: .seconds(6)))
            try await zk.create("/member", mode: .ephemeral)
            try await observer.create("/data", data: "1".bytes)
            let dataWatch = try await zk.watchData("/data").watch
            let existsWatch = try await zk.watchExists("/later").watch
            let recursive = try await zk.addWatch("/data", mode: .persistentRecursive)
            let before = try await zk.session()

            proxy.block()
            try await eventually { try await zk.session().state == .suspended }
            // Changes made while the client is away are reported on reconnect (setWatches with the
            // last zxid seen).
            try await observer.setData("/data", data: "2".bytes)
            try await observer.create("/later")
            proxy.unblock()

            #expect(try await dataWatch.event() == WatchedEvent(type: .nodeDataChanged, path: "/data"))
            #expect(try await existsWatch.event() == WatchedEvent(type: .nodeCreated, path: "/later"))
            // The persistent watch is back on the server: a new change reaches it.
            try await observer.create("/data/child")
            // The data watch's catch-up notification for /data also reaches the recursive watcher,
            // which covers /data (as Java's client dispatches it); then the new child.
            let events = try await collect(recursive, until: { $0.count == 2 })
            #expect(
                events == [
                    WatchedEvent(type: .nodeDataChanged, path: "/data"),
                    WatchedEvent(type: .nodeCreated, path: "/data/child"),
                ])
            #expect(try await zk.session().id == before.id)
            #expect(try await observer.exists("/member") != nil)
            try await zk.close()
        }
    }

    @Test func closeEndsTheSessionAndLaterCallsFail() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, connect in
            let other = try await connect()
            try await other.create("/e", mode: .ephemeral)
            let states = other.states()
            try await other.close()
            try await other.close()
            #expect(try await zk.exists("/e") == nil)
            var iterator = states.makeAsyncIterator()
            var last: ZooKeeperClient.State?
            while let state = await iterator.next() { last = state }
            #expect(last == .closed)
            let error = await #expect(throws: ZooKeeperError.self) { try await other.getData("/") }
            #expect(error?.code == .clientClosed)
        }
    }

    @Test func connectFailsFastWhenNothingListens() async throws {
        let port = try freePort()
        var configuration = ZooKeeperClient.Configuration()
        configuration.connectTimeout = .seconds(1)
        // Not a hang: the connect gives up with its own error (the suite's time limit catches a hang).
        let error = await #expect(throws: ZooKeeperError.self) {
            try await ZooKeeperClient.connect("127.0.0.1:\(port)", configuration: configuration)
        }
        #expect(error?.code == .connectFailed)
        #expect(error?.message.contains("127.0.0.1:\(port)") == true)
    }

    @Test func badConnectStringIsRejected() async throws {
        let error = await #expect(throws: ZooKeeperError.self) { try await ZooKeeperClient.connect("host:notaport") }
        #expect(error?.code == .badArguments)
    }

}
