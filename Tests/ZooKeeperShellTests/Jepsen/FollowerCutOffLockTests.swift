import Foundation
import Synchronization
import Testing
import ZooKeeper
import ZooKeeperRecipes
import ZooKeeperTestSupport

/// The fault the Jepsen suite found, made deterministic: a lock holder whose only server is a
/// follower cut off from the leader. The follower goes on answering the holder's pings for up to
/// syncLimit × tickTime (2.5 s here) while the leader expires the session (5 s) and passes the
/// lock on; the holder's work must be cancelled before the next holder gets the lock.
@Suite(.serialized, .timeLimit(.minutes(10))) struct FollowerCutOffLockTests {
    @Test func aHolderOnAFollowerCutOffFromTheLeaderStopsBeforeTheLockPassesOn() async throws {
        try await NamespacedEnsemble.with(size: 3) { ensemble in
            try await ensemble.waitUntilSettled()
            let leader = try #require(await ensemble.leader())
            let follower = try #require((1...ensemble.size).first { $0 != leader })
            let others = (1...ensemble.size).filter { $0 != follower }
            let holderClient = try await ZooKeeperClient.connect(
                ensemble.address(of: follower), configuration: jepsenConfiguration())
            let nextClient = try await ZooKeeperClient.connect(
                others.map { ensemble.address(of: $0) }.joined(separator: ","), configuration: jepsenConfiguration())
            defer {
                Task {
                    try? await holderClient.close()
                    try? await nextClient.close()
                }
            }
            let path = "/follower-cut-off-lock"
            let holding = Mutex(false)
            let stopped = Mutex<ContinuousClock.Instant?>(nil)
            let holder = Task {
                try await DistributedLock(client: holderClient, path: path).withLock {
                    holding.withLock { $0 = true }
                    do {
                        try await Task.sleep(for: .seconds(600))
                    } catch {
                        stopped.withLock { $0 = .now }
                        throw error
                    }
                }
            }
            try await eventually(within: .seconds(60)) { holding.withLock { $0 } }
            // While the lock is held, syncs keep proving contact with the leader: the session's
            // safe moment moves on (tested here against real Apache ZooKeeper), well past the
            // one the handshake and the lock's create proved.
            let first = try #require(try await holderClient.session().safeUntil)
            try await eventually(within: .seconds(60)) {
                try await holderClient.session().safeUntil.map { $0 - first >= .seconds(3) } ?? false
            }
            // The next holder waits in line before the cut, so it gets the lock as soon as the
            // leader expires the first session.
            let next = Task {
                try await DistributedLock(client: nextClient, path: path).acquire()
                return ContinuousClock.now
            }
            try await eventually(within: .seconds(60)) {
                try await nextClient.getChildren(path).count == 2
            }
            try await ensemble.partition([follower], others)
            let acquired = try await next.value
            let outcome = await holder.result
            try await ensemble.heal()
            let stoppedAt = try #require(stopped.withLock { $0 }, "the holder's work was never cancelled")
            #expect(stoppedAt < acquired, "the holder still worked \(stoppedAt - acquired) after the lock passed on")
            #expect(throws: OwnershipLost.self) { try outcome.get() }
        }
    }
}
