import Testing
import ZooKeeper
import ZooKeeperRecipes
import ZooKeeperServer
import ZooKeeperTestSupport

/// The snippets of ZooKeeperServer's article "Testing your failure handling", word for word
/// (`SnippetDriftTests` checks that): its two tests run as they are, and the other snippets
/// with what they assume.
@Suite(.timeLimit(.minutes(2))) struct FailureHandlingSnippetTests {
    @Test func shortTimeouts() async throws {
        var configuration = ZooKeeperServer.Configuration(port: 0)
        configuration.tickTime = .milliseconds(100)

        var clientConfiguration = ZooKeeperClient.Configuration()
        clientConfiguration.sessionTimeout = .seconds(2)

        try await ZooKeeperServer.withServer(configuration: configuration) { server in
            let zk = try await ZooKeeperClient.connect(server.connectString, configuration: clientConfiguration)
            #expect(try await zk.session().timeout == .seconds(2))
            try await zk.close()
        }
    }

    @Test func aHolderWhoseSessionExpiresStops() async throws {
        try await ZooKeeperServer.withServer { server in
            let zk = try await ZooKeeperClient.connect(server.connectString)
            let lock = DistributedLock(client: zk, path: "/locks/job")
            let (started, start) = AsyncStream.makeStream(of: Void.self)
            let holder = Task {
                try await lock.withLock {
                    start.yield()
                    while true {
                        try await Task.sleep(for: .milliseconds(10))  // the work, cancellable
                    }
                }
            }
            for await _ in started { break }

            let session = try await zk.session().id
            try await server.expireSession(session)

            await #expect(throws: OwnershipLost(reason: .sessionExpired, sessionID: session)) {
                try await holder.value
            }
            #expect(try await server.sessions().allSatisfy { $0.id != session })
            try await zk.close()
        }
    }

    @Test func aFrozenHolderStopsBeforeItsSessionCouldExpire() async throws {
        var configuration = ZooKeeperServer.Configuration(port: 0)
        configuration.tickTime = .milliseconds(100)
        try await ZooKeeperServer.withServer(configuration: configuration) { server in
            var clientConfiguration = ZooKeeperClient.Configuration()
            clientConfiguration.sessionTimeout = .seconds(2)
            let zk = try await ZooKeeperClient.connect(
                server.connectString, configuration: clientConfiguration)
            let lock = DistributedLock(client: zk, path: "/locks/job")
            let (started, start) = AsyncStream.makeStream(of: Void.self)
            let holder = Task {
                try await lock.withLock {
                    start.yield()
                    while true { try await Task.sleep(for: .milliseconds(10)) }
                }
            }
            for await _ in started { break }

            try await server.freezeConnections()
            let loss = try await #require(throws: OwnershipLost.self) { try await holder.value }
            #expect(loss.reason == .noContact)
            try await server.thawConnections()
            try await zk.close()
        }
    }

    @Test func checkingWhatTheServerHolds() async throws {
        try await ZooKeeperServer.withServer { server in
            let zk = try await ZooKeeperClient.connect(server.connectString)
            try await zk.ensurePath("/services/api")
            try await zk.create("/services/api/instance-1", mode: .ephemeral)

            let registrations = try await server.sessions().flatMap(\.ephemerals)
            #expect(registrations == ["/services/api/instance-1"])
            #expect(try await server.watches().filter { $0.path.hasPrefix("/services") }.isEmpty)

            try await zk.close()
        }
    }
}
