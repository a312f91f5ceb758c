import Foundation
import Testing
import ZooKeeper
import ZooKeeperRecipes
import ZooKeeperServer
import ZooKeeperTestSupport

/// `close()` says what became of the session, waits for the server at most two seconds, and not
/// at all once its task is cancelled; ownership through a closed client ends as `clientClosed`.
@Suite(.timeLimit(.minutes(3))) struct CloseTests {
    @Test func closeSaysWhetherTheServerClosedTheSession() async throws {
        try await ZooKeeperServer.withServer { server in
            let proxy = try await TCPProxy.start(upstreamPort: server.port)
            defer { proxy.stop() }
            let observer = try await ZooKeeperClient.connect(server.connectString)
            // Closed on the server: its ephemeral node is gone at once.
            let healthy = try await ZooKeeperClient.connect("127.0.0.1:\(proxy.port)")
            try await healthy.create("/healthy", mode: .ephemeral)
            #expect(try await healthy.close() == .sessionClosed)
            #expect(try await observer.exists("/healthy") == nil)
            // Closing again says the same.
            #expect(try await healthy.close() == .sessionClosed)

            // The server out of reach (a 30 s session: the client would try to reconnect for
            // 10 s): close() gives up after 2 s, and says the session is left to expire.
            let cutOff = try await ZooKeeperClient.connect("127.0.0.1:\(proxy.port)")
            try await cutOff.create("/cut-off", mode: .ephemeral)
            proxy.block()
            try await eventually(within: .seconds(30)) { try await cutOff.session().state == .suspended }
            let started = ContinuousClock.now
            #expect(try await cutOff.close() == .sessionLeftToExpire)
            #expect(ContinuousClock.now - started < .seconds(9))
            #expect(try await observer.exists("/cut-off") != nil)
            proxy.unblock()

            // A cancelled close() stops waiting at once, also when its task was cancelled before
            // it began (it once waited the two seconds then).
            let cancelled = try await ZooKeeperClient.connect("127.0.0.1:\(proxy.port)")
            proxy.block()
            try await eventually(within: .seconds(30)) { try await cancelled.session().state == .suspended }
            let cancelledAt = ContinuousClock.now
            let closing = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await cancelled.close()
            }
            #expect(try await closing.value == .sessionLeftToExpire)
            #expect(ContinuousClock.now - cancelledAt < .seconds(2), "the close waited for the server")
            #expect(try await cancelled.session().state == .closed)

            let never = try ZooKeeperClient.start("127.0.0.1:\(proxy.port)")
            #expect(try await never.close() == .noSession)
            try await observer.close()
        }
    }

    @Test func aLeaderWhoseClientIsClosedLosesLeadershipAsClientClosed() async throws {
        try await ZooKeeperServer.withServer { server in
            let zk = try await ZooKeeperClient.connect(server.connectString)
            let (leading, lead) = AsyncStream.makeStream(of: Void.self)
            let leader = Task {
                try await LeaderElection(client: zk, path: "/election", id: "a").lead {
                    lead.yield()
                    while true { try await Task.sleep(for: .milliseconds(10)) }
                }
            }
            for await _ in leading { break }
            try await zk.close()
            let loss = try await #require(throws: OwnershipLost.self) { try await leader.value }
            #expect(loss.reason == .clientClosed)
        }
    }
}
