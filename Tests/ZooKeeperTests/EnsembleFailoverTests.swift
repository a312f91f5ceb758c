import Foundation
import Testing
import ZooKeeper
import ZooKeeperTestSupport

/// Failover on a real 3-node Apache ZooKeeper ensemble on loopback.
@Suite(.serialized, .timeLimit(.minutes(3))) struct EnsembleFailoverTests {
    static func configuration() -> ZooKeeperClient.Configuration {
        var configuration = ZooKeeperClient.Configuration()
        configuration.sessionTimeout = .seconds(8)
        configuration.connectTimeout = .seconds(30)
        configuration.requestTimeout = .seconds(30)
        return configuration
    }

    @Test func killingTheConnectedServerLosesNoSessionWatchOrAcknowledgedWrite() async throws {
        try await ApacheZooKeeper.with(size: 3, tickTime: 500) { ensemble in
            let zk = try await ZooKeeperClient.connect(ensemble.connectString, configuration: Self.configuration())
            let observer = try await ZooKeeperClient.connect(
                ensemble.connectString, configuration: Self.configuration())
            defer {
                Task {
                    _ = try? await zk.close()
                    _ = try? await observer.close()
                }
            }
            // Setting up survives a connection loss as well (a follower may drop its clients).
            try await createAcknowledged(zk, "/stream")
            try await createAcknowledged(zk, "/member", mode: .ephemeral)
            try await createAcknowledged(observer, "/watched", data: "0".bytes)
            let dataWatch = try await zk.watchData("/watched").watch
            let recursive = try await zk.addWatch("/stream", mode: .persistentRecursive)
            let before = try await zk.session()
            let states = zk.states()

            let total = 300
            let killAt = 100
            let acknowledged = Acknowledged()
            let killed = try await withThrowingTaskGroup(of: Int?.self) { group in
                // Ten writers, so requests are in flight when the server dies.
                for writer in 0..<10 {
                    group.addTask {
                        for index in stride(from: writer, to: total, by: 10) {
                            let path = "/stream/n\(String(format: "%04d", index))"
                            try await createAcknowledged(zk, path, data: "\(index)".bytes)
                            acknowledged.add(path)
                        }
                        return nil
                    }
                }
                group.addTask {
                    try await eventually(within: .seconds(60)) { acknowledged.count >= killAt }
                    let server = try #require(try await zk.session().server)
                    let id = try #require((1...3).first { ensemble.address(of: $0) == server.description })
                    await ensemble.kill(id)
                    return id
                }
                var killed: Int?
                for try await result in group { killed = killed ?? result }
                return killed
            }
            let killedID = try #require(killed)

            // The session survived on another server, with its ephemeral node.
            let after = try await zk.session()
            #expect(after.id == before.id)
            #expect(after.server?.description != ensemble.address(of: killedID))
            // The observer's server may be gone too, or drop its clients in the election that
            // follows (the killed one may have led), so its requests retry after a connection loss.
            let member = try await retryingConnectionLoss { try await observer.exists("/member") }
            #expect(member?.ephemeralOwner == before.id)
            let seen = try await collect(
                states, within: .seconds(5), until: { $0.contains(.connected) && $0.count > 1 })
            #expect(seen.contains(.suspended))
            #expect(!seen.contains(.expired))

            // No acknowledged write was lost.
            let children = Set(try await retryingConnectionLoss { try await observer.getChildren("/stream") })
            let missing = acknowledged.paths.filter { !children.contains(String($0.dropFirst("/stream/".count))) }
            #expect(missing.isEmpty, "lost acknowledged writes: \(missing)")
            #expect(acknowledged.count == total)
            #expect(children.count == total)

            // The watches were re-registered on the new server.
            // (Should a lost reply hide a set that happened, the second is harmless: the watch fires once.)
            _ = try await retryingConnectionLoss { try await observer.setData("/watched", data: "1".bytes) }
            #expect(try await dataWatch.event() == WatchedEvent(type: .nodeDataChanged, path: "/watched"))
            try await createAcknowledged(observer, "/stream/after")
            var created: [String] = []
            for try await event in recursive where event.type == .nodeCreated {
                created.append(event.path)
                if event.path == "/stream/after" { break }
            }
            // Each change is reported at most once (one in flight at the failure may be missed,
            // as ZooKeeper re-registers persistent watches without replaying).
            #expect(Set(created).count == created.count)
            #expect(created.count >= total - 10)
            print(
                "ensemble failover: killed node \(killedID), \(acknowledged.count) writes acknowledged, \(created.count - 1) of \(total) creations seen by the recursive watch"
            )
        }
    }
}

extension EnsembleFailoverTests {
    @Test func readOnlyServerServesReadsWhenTheQuorumIsLost() async throws {
        // A read-only 3.8 server creates only local sessions: new sessions need localSessionsEnabled.
        try await ApacheZooKeeper.with(
            size: 3, tickTime: 500, extraProperties: ["-Dreadonlymode.enabled=true"],
            extraConfig: ["localSessionsEnabled=true"]
        ) { ensemble in
            let writer = try await ZooKeeperClient.connect(ensemble.connectString, configuration: Self.configuration())
            try await writer.create("/ro", data: "kept".bytes)
            try await writer.close()
            await ensemble.kill(1)
            await ensemble.kill(2)
            try await eventually(within: .seconds(30)) { await ensemble.isReadOnly(3) }

            // Without allowReadOnly, the lone server is refused.
            var strict = Self.configuration()
            strict.connectTimeout = .seconds(3)
            let refused = await #expect(throws: ZooKeeperError.self) {
                try await ZooKeeperClient.connect(ensemble.address(of: 3), configuration: strict)
            }
            #expect(refused?.code == .connectFailed)

            var lenient = Self.configuration()
            lenient.allowReadOnly = true
            let reader = try await ZooKeeperClient.connect(ensemble.address(of: 3), configuration: lenient)
            #expect(try await reader.session().state == .connectedReadOnly)
            #expect(try await reader.getData("/ro").data == "kept".bytes)
            await #expect(throws: ZooKeeperError(.notReadOnly, path: "/new")) { try await reader.create("/new") }
            try await reader.close()
        }
    }
}

extension EnsembleFailoverTests {
    @Test func readOnlyServerWithoutLocalSessionsRefusesNewSessionsWithAReason() async throws {
        try await ApacheZooKeeper.with(size: 3, tickTime: 500, extraProperties: ["-Dreadonlymode.enabled=true"]) {
            ensemble in
            await ensemble.kill(1)
            await ensemble.kill(2)
            try await eventually(within: .seconds(30)) { await ensemble.isReadOnly(3) }
            var lenient = Self.configuration()
            lenient.allowReadOnly = true
            lenient.connectTimeout = .seconds(2)
            let refused = await #expect(throws: ZooKeeperError.self) {
                try await ZooKeeperClient.connect(ensemble.address(of: 3), configuration: lenient)
            }
            #expect(refused?.code == .connectFailed)
            #expect(refused?.message.contains("refused the session: server is read-only") == true)
        }
    }
}

final class Acknowledged: @unchecked Sendable {
    private let lock = NSLock()
    private var set: [String] = []
    func add(_ path: String) { lock.withLock { set.append(path) } }
    var count: Int { lock.withLock { set.count } }
    var paths: [String] { lock.withLock { set } }
}
