import Foundation
import Testing
import ZooKeeper
import ZooKeeperProtocol
import ZooKeeperTestSupport

/// Failover on a 3-node Apache ZooKeeper ensemble that requires SASL: the client logs in again on
/// the next member and keeps its session and watches. (Its name ends in EnsembleFailoverTests, so
/// `make test` runs it with the other ensemble suites, one at a time.)
@Suite(.serialized, .timeLimit(.minutes(4))) struct SASLEnsembleFailoverTests {
    @Test func failoverLogsInAgainAndKeepsSessionAndWatches() async throws {
        try await ApacheZooKeeper.withSASL(size: 3, tickTime: 500, requireClientSASLAuth: true) { ensemble in
            var configuration = SASLTests.configuration("alice", "alice-secret")
            configuration.requestTimeout = .seconds(30)
            let zk = try await ZooKeeperClient.connect(ensemble.connectString, configuration: configuration)
            let observer = try await ZooKeeperClient.connect(ensemble.connectString, configuration: configuration)
            defer {
                Task {
                    _ = try? await zk.close()
                    _ = try? await observer.close()
                }
            }
            let acl = [ACL(permissions: .all, id: Id(scheme: "sasl", id: "alice"))]
            try await createAcknowledged(observer, "/watched", data: [0])
            try await observer.setACL("/watched", acl: acl)
            let watch = try await zk.watchData("/watched").watch
            let before = try await zk.session()
            let states = zk.states()

            let server = try #require(before.server)
            let killed = try #require((1...3).first { ensemble.address(of: $0) == server.description })
            await ensemble.kill(killed)

            // Back on another member, logged in again (the server refuses anything else), same session.
            for await state in states where state == .saslAuthenticated { break }
            let after = try await zk.session()
            #expect(after.id == before.id)
            #expect(after.server != before.server)
            #expect(try await zk.whoAmI().contains { $0.authScheme == "sasl" && $0.user == "alice" })

            // The watch was re-registered: a change made now fires it.
            var changed = false
            while !changed {
                do {
                    _ = try await observer.setData("/watched", data: [1])
                    changed = true
                } catch let error as ZooKeeperError where error.code == .connectionLoss {}
            }
            #expect(try await watch.event().type == .nodeDataChanged)
            #expect(try await zk.getData("/watched").data == [1])
        }
    }
}
