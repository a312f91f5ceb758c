import Testing
import ZooKeeper
import ZooKeeperTestSupport

/// Connection faults between the client and a real server, through a loopback proxy: the client
/// notices each within the session timeout and resumes the same session.
@Suite(.timeLimit(.minutes(3))) struct NetworkFaultTests {
    enum Fault: String, CaseIterable, Sendable {
        /// A TCP reset on both sides.
        case reset
        /// A FIN to the client while the server's side of the path stays open.
        case halfClose
        /// A FIN on both sides, and a few refused attempts before the path heals.
        case drop

        func inject(into proxy: TCPProxy) async throws {
            switch self {
            case .reset: proxy.reset()
            case .halfClose: proxy.halfClose()
            case .drop:
                proxy.block()
                try await Task.sleep(for: .milliseconds(500))
                proxy.unblock()
            }
        }
    }

    @Test(arguments: Fault.allCases)
    func theClientResumesItsSessionAfter(_ fault: Fault) async throws {
        try await SharedApacheZooKeeper.withClient { observer, root, _ in
            let upstream = try await SharedApacheZooKeeper.connectString()
            let proxy = try await TCPProxy.start(upstreamPort: Int(upstream.split(separator: ":").last!)!)
            defer { proxy.stop() }
            // The server expires a session it has not heard from for 4 s: resuming the same
            // session afterwards shows the fault was noticed and healed within that time.
            var configuration = SharedApacheZooKeeper.configuration(sessionTimeout: .seconds(4))
            configuration.recreateSessionOnExpiry = false
            let zk = try await ZooKeeperClient.connect("127.0.0.1:\(proxy.port)\(root)", configuration: configuration)
            let states = zk.states()
            try await zk.create("/member", mode: .ephemeral)
            try await observer.create("/data", data: "1".bytes)
            let watch = try await zk.watchData("/data").watch
            let before = try await zk.session()

            // Three faults in a row, each with writes in flight: every create either succeeds
            // or fails with connection loss, and a retry tells which.
            var acknowledged = 0
            var retried = 0
            for round in 0..<3 {
                async let writes: (done: Int, retried: Int) = {
                    var done = 0
                    var retried = 0
                    for index in 0..<20 {
                        if try await createAcknowledged(zk, "/w\(round)-\(index)") { retried += 1 }
                        done += 1
                    }
                    return (done, retried)
                }()
                try await fault.inject(into: proxy)
                let result = try await writes
                acknowledged += result.done
                retried += result.retried
                try await eventually(within: .seconds(10)) { try await zk.session().state == .connected }
            }
            try await observer.setData("/data", data: "2".bytes)

            let seen = try await collect(
                states, within: .seconds(10), until: { $0.filter { $0 == .connected }.count >= 4 })
            #expect(seen.filter { $0 == .suspended }.count == 3, "states: \(seen)")
            #expect(!seen.contains(.expired))
            #expect(try await zk.session().id == before.id)
            #expect(try await observer.exists("/member")?.ephemeralOwner == before.id)
            #expect(try await watch.event() == WatchedEvent(type: .nodeDataChanged, path: "/data"))
            let written = try await observer.getChildren("/").filter { $0.hasPrefix("w") }
            #expect(written.count == acknowledged)
            #expect(acknowledged == 60)
            print(
                "network fault \(fault): 3 faults, \(seen.count) state changes, \(acknowledged) writes acknowledged, \(retried) after a retry"
            )
            try await zk.close()
        }
    }

}
