import NIOCore
import Testing
import ZooKeeper
import ZooKeeperTestSupport

/// `connect` to servers that cannot give a session: it says why in plain words, and gives up as
/// soon as waiting cannot help rather than at the end of its connect timeout.
@Suite(.timeLimit(.minutes(3))) struct ConnectFailureTests {
    /// A connect timeout long enough that a connect which waits it out fails the time check below.
    static func configuration() -> ZooKeeperClient.Configuration {
        var configuration = ZooKeeperClient.Configuration()
        configuration.connectTimeout = .seconds(60)
        return configuration
    }

    /// Connects and returns the error's message and how long connecting took.
    static func failure(
        _ connectString: String, configuration: ZooKeeperClient.Configuration = configuration()
    ) async throws -> (message: String, elapsed: Duration) {
        let start = ContinuousClock.now
        do {
            let zk = try await ZooKeeperClient.connect(connectString, configuration: configuration)
            try await zk.close()
        } catch let error as ZooKeeperError where error.code == .connectFailed {
            return (error.message, ContinuousClock.now - start)
        }
        Issue.record("connected to \(connectString)")
        return ("", ContinuousClock.now - start)
    }

    @Test func aClosedPortFailsAtOnce() async throws {
        let port = try freePort()
        let (message, elapsed) = try await Self.failure("127.0.0.1:\(port)")
        #expect(message == "cannot connect to 127.0.0.1:\(port): connection refused")
        #expect(elapsed < .seconds(30), "took \(elapsed)")
    }

    @Test func aNameThatDoesNotResolveFailsAtOnce() async throws {
        let (message, elapsed) = try await Self.failure("\(unresolvableHost):2181")
        #expect(message == "cannot connect to \(unresolvableHost):2181: host name not found")
        #expect(elapsed < .seconds(30), "took \(elapsed)")
    }

    @Test func eachHostIsNamedWithItsCause() async throws {
        let port = try freePort()
        let (message, elapsed) = try await Self.failure("127.0.0.1:\(port),\(unresolvableHost):2181")
        #expect(
            message
                == "cannot connect to 127.0.0.1:\(port): connection refused; \(unresolvableHost):2181: host name not found"
        )
        #expect(elapsed < .seconds(30), "took \(elapsed)")
    }

    @Test func aWebServerIsNotTakenForZooKeeper() async throws {
        let server = try await HTTPServer.start()
        let (message, elapsed) = try await Self.failure("127.0.0.1:\(server.port)")
        try await server.stop()
        #expect(
            message
                == "cannot connect to 127.0.0.1:\(server.port): this is not a ZooKeeper server (it answered like an HTTP server)"
        )
        #expect(elapsed < .seconds(30), "took \(elapsed)")
    }

    /// Without failFast the client keeps trying for the whole connect timeout (a server may be
    /// starting), and then says what it met.
    @Test func withoutFailFastRefusalsAreRetriedUntilTheTimeout() async throws {
        let port = try freePort()
        var configuration = ZooKeeperClient.Configuration()
        configuration.connectTimeout = .seconds(1)
        configuration.failFast = false
        let (message, elapsed) = try await Self.failure("127.0.0.1:\(port)", configuration: configuration)
        #expect(message == "cannot connect to 127.0.0.1:\(port): connection refused")
        #expect(elapsed >= .seconds(1))
    }
}
