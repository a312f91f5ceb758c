import Logging
import ServiceLifecycle
import Synchronization
import Testing
import ZooKeeper
import ZooKeeperRecipes
import ZooKeeperServer
import ZooKeeperTestSupport

/// The client, the server and the recipes that hold ownership as swift-service-lifecycle
/// services: a graceful shutdown closes the session (ephemeral nodes go at once), cancellation
/// ends them too, and neither hangs when the server is down or the connection frozen.
@Suite(.timeLimit(.minutes(3))) struct ServiceLifecycleTests {
    static let logger = Logger(label: "test.lifecycle") { _ in SwiftLogNoOpLogHandler() }

    /// Runs `services` in a group until `body` returns, then shuts it down gracefully and says
    /// how long the shutdown took.
    static func withGroup(
        _ services: [any Service], _ body: () async throws -> Void
    ) async throws -> Duration {
        let group = ServiceGroup(services: services, logger: logger)
        let running = Task { try await group.run() }
        do {
            try await body()
        } catch {
            running.cancel()
            throw error
        }
        let started = ContinuousClock.now
        await group.triggerGracefulShutdown()
        try await running.value
        return ContinuousClock.now - started
    }

    @Test func aClientServiceClosesItsSessionAtGracefulShutdown() async throws {
        try await ZooKeeperServer.withServer { server in
            let observer = try await ZooKeeperClient.connect(server.connectString)
            let zk = try ZooKeeperClient.start(server.connectString)
            _ = try await Self.withGroup([zk]) {
                try await zk.create("/service", mode: .ephemeral)
            }
            // Gone at once, not at the session's expiry.
            #expect(try await observer.exists("/service") == nil)
            #expect(try await zk.session().state == .closed)
            try await observer.close()
        }
    }

    @Test func aCancelledClientServiceClosesItsSession() async throws {
        try await ZooKeeperServer.withServer { server in
            let observer = try await ZooKeeperClient.connect(server.connectString)
            let zk = try await ZooKeeperClient.connect(server.connectString)
            try await zk.create("/cancelled", mode: .ephemeral)
            let running = Task { try await zk.run() }
            try await eventually { try await observer.exists("/cancelled") != nil }
            running.cancel()
            try await running.value
            #expect(try await zk.session().state == .closed)
            // Closed on the server, not left to expire: the node is gone at once.
            #expect(try await observer.exists("/cancelled") == nil)
            try await observer.close()
        }
    }

    @Test func aClientServiceShutsDownWhenTheServerIsDownOrTheConnectionFrozen() async throws {
        try await ZooKeeperServer.withServer { server in
            let proxy = try await TCPProxy.start(upstreamPort: server.port)
            defer { proxy.stop() }
            var configuration = ZooKeeperClient.Configuration()
            configuration.sessionTimeout = .seconds(30)
            // Frozen: the connection stays open, nothing crosses it.
            let frozen = try await ZooKeeperClient.connect("127.0.0.1:\(proxy.port)", configuration: configuration)
            let tookFrozen = try await Self.withGroup([frozen]) { proxy.stall() }
            #expect(tookFrozen < .seconds(20))
            proxy.unstall()
            // Down: connections refused.
            let down = try await ZooKeeperClient.connect("127.0.0.1:\(proxy.port)", configuration: configuration)
            let tookDown = try await Self.withGroup([down]) {
                proxy.block()
                try await eventually(within: .seconds(30)) { try await down.session().state == .suspended }
            }
            #expect(tookDown < .seconds(20))
            #expect(try await down.session().state == .closed)
        }
    }

    /// A service of the group that closes the client at its own shutdown, before the client's
    /// turn, as a recipe service does when the server does not answer in time.
    struct ClosesTheClientAtShutdown: Service {
        let client: ZooKeeperClient
        func run() async throws {
            try? await gracefulShutdown()
            try await client.close()
            // Still finishing when the client's run() could return: a return before its turn
            // would fail the group.
            try await Task.sleep(for: .milliseconds(300))
        }
    }

    @Test func aClientClosedBeforeItsTurnWaitsForIt() async throws {
        try await ZooKeeperServer.withServer { server in
            let zk = try await ZooKeeperClient.connect(server.connectString)
            _ = try await Self.withGroup([zk, ClosesTheClientAtShutdown(client: zk)]) {
                try await zk.create("/closed-early")
            }
            #expect(try await zk.session().state == .closed)
            // Closed outside any shutdown, the client's service still ends at cancellation.
            let other = try await ZooKeeperClient.connect(server.connectString)
            let running = Task { try await other.run() }
            try await other.close()
            running.cancel()
            try await running.value
        }
    }

    @Test func aClientServiceFailsWhenItsSessionExpiresForGood() async throws {
        try await ZooKeeperServer.withServer { server in
            var configuration = ZooKeeperClient.Configuration()
            configuration.recreateSessionOnExpiry = false
            let zk = try await ZooKeeperClient.connect(server.connectString, configuration: configuration)
            let running = Task { try await zk.run() }
            _ = try await server.expireSession(try await zk.session().id)
            let error = try await #require(throws: ZooKeeperError.self) { try await running.value }
            #expect(error.code == .sessionExpired)
        }
    }

    @Test func aServerServiceStopsAtGracefulShutdown() async throws {
        let server = try await ZooKeeperServer.start(configuration: .init(port: 0))
        let zk = try await ZooKeeperClient.connect(server.connectString)
        _ = try await Self.withGroup([server]) {
            try await zk.create("/served")
        }
        var failFast = ZooKeeperClient.Configuration()
        failFast.failFast = true
        await #expect(throws: ZooKeeperError.self) {
            try await ZooKeeperClient.connect(server.connectString, configuration: failFast)
        }
        try await zk.close()
    }

    @Test func registrationAndLeadershipComposeWithAServiceGroup() async throws {
        try await ZooKeeperServer.withServer { server in
            let observer = try await ZooKeeperClient.connect(server.connectString)
            let registry = ServiceRegistry(client: observer)
            let leading = Mutex<[String]>([])
            /// One instance of a service: its client, its registration, its job under leadership.
            func instance(_ name: String) throws -> (ZooKeeperClient, [any Service]) {
                let zk = try ZooKeeperClient.start(server.connectString)
                let registration = RegistrationService(
                    registry: ServiceRegistry(client: zk),
                    instance: ServiceInstance(name: "reports", address: "127.0.0.1", port: 8080, id: name))
                let job = ExclusiveJob(election: LeaderElection(client: zk, path: "/election", id: name), client: zk) {
                    leading.withLock { $0.append(name) }
                    defer { leading.withLock { $0.removeAll { $0 == name } } }
                    while true { try await Task.sleep(for: .milliseconds(20)) }
                }
                return (zk, [zk, registration, job])
            }
            let (_, second) = try instance("b")
            let secondGroup = ServiceGroup(services: second, logger: Self.logger)
            let secondRunning = Task { try await secondGroup.run() }
            let (_, first) = try instance("a")
            _ = try await Self.withGroup(first) {
                try await eventually { try await registry.instances(of: "reports").count == 2 }
                try await eventually { leading.withLock { $0.count == 1 } }
            }
            // "a" left: its registration is gone at once; whoever leads now is "b".
            #expect(try await registry.instances(of: "reports").map(\.id) == ["b"])
            try await eventually { leading.withLock { $0 == ["b"] } }
            await secondGroup.triggerGracefulShutdown()
            try await secondRunning.value
            #expect(try await registry.instances(of: "reports").isEmpty)
            #expect(leading.withLock { $0.isEmpty })
            #expect(try await observer.getChildren("/election").isEmpty)
            try await observer.close()
        }
    }

    @Test func recipeServicesShutDownWhenTheConnectionIsFrozen() async throws {
        try await ZooKeeperServer.withServer { server in
            let proxy = try await TCPProxy.start(upstreamPort: server.port)
            defer { proxy.stop() }
            var configuration = ZooKeeperClient.Configuration()
            configuration.sessionTimeout = .seconds(30)
            let zk = try await ZooKeeperClient.connect("127.0.0.1:\(proxy.port)", configuration: configuration)
            let (started, start) = AsyncStream.makeStream(of: Void.self)
            let registration = RegistrationService(
                registry: ServiceRegistry(client: zk), instance: ServiceInstance(name: "frozen", address: "h", id: "x"))
            let job = ExclusiveJob(lock: DistributedLock(client: zk, path: "/lock"), client: zk) {
                start.yield()
                while true { try await Task.sleep(for: .milliseconds(20)) }
            }
            let took = try await Self.withGroup([zk, registration, job]) {
                for await _ in started { break }
                proxy.stall()
            }
            #expect(took < .seconds(30))
            #expect(try await zk.session().state == .closed)
        }
    }
}
