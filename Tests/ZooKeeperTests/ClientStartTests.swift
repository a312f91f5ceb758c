import Foundation
import Testing
import ZooKeeper
import ZooKeeperTestSupport

/// `ZooKeeperClient.start`: a client that exists before its server does.
@Suite(.timeLimit(.minutes(3))) struct ClientStartTests {
    /// It returns while nothing listens and keeps trying; a request made meanwhile gives up after
    /// the request timeout, not before; once a server comes up the session is established and
    /// requests work.
    @Test func startedClientKeepsTryingUntilAServerAnswers() async throws {
        let port = try freePort()
        var configuration = ZooKeeperClient.Configuration()
        configuration.requestTimeout = .seconds(1)
        let zk = try ZooKeeperClient.start("127.0.0.1:\(port)", configuration: configuration)
        let states = zk.states()
        #expect(try await zk.session().state == .connecting)

        let asked = ContinuousClock.now
        let error = await #expect(throws: ZooKeeperError.self) { try await zk.exists("/") }
        #expect(error?.code == .operationTimeout)
        #expect(ContinuousClock.now - asked >= .seconds(1))

        let (server, _) = try await ServeProcess.start(port: port)
        defer { server.terminate() }
        for await state in states where state == .connected { break }
        #expect(try await zk.exists("/") != nil)
        try await zk.close()
    }

    /// `waitUntilConnected` gives up after its timeout while no server answers, can be
    /// cancelled, returns once a server comes up (and at once while connected), and fails once
    /// the client is closed.
    @Test func waitUntilConnectedWaitsForTheSession() async throws {
        let port = try freePort()
        let zk = try ZooKeeperClient.start("127.0.0.1:\(port)")

        let asked = ContinuousClock.now
        let timedOut = await #expect(throws: ZooKeeperError.self) {
            try await zk.waitUntilConnected(timeout: .milliseconds(300))
        }
        #expect(timedOut?.code == .operationTimeout)
        #expect(ContinuousClock.now - asked >= .milliseconds(300))

        let cancelled = Task { try await zk.waitUntilConnected() }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }

        let waiting = Task { try await zk.waitUntilConnected() }
        let (server, _) = try await ServeProcess.start(port: port)
        defer { server.terminate() }
        try await waiting.value
        #expect(try await zk.session().state == .connected)
        try await zk.waitUntilConnected()  // connected: returns at once

        try await zk.close()
        let closed = await #expect(throws: ZooKeeperError.self) { try await zk.waitUntilConnected() }
        #expect(closed?.code == .clientClosed)
    }

    @Test func badConnectStringIsRejectedAtOnce() {
        let error = #expect(throws: ZooKeeperError.self) { try ZooKeeperClient.start("host:notaport") }
        #expect(error?.code == .badArguments)
    }
}
