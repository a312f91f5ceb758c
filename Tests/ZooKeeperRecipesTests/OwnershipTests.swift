import Foundation
import Synchronization
import Testing
import ZooKeeper
import ZooKeeperRecipes
import ZooKeeperTestSupport

/// A holder whose connection freezes (open, no bytes: a partition) stops before another process
/// can take what it holds: its body is cancelled before the server could expire its session, and
/// the next holder starts only after the expiry. Checked with timestamps, for every recipe that
/// runs a body under ownership.
@Suite(.timeLimit(.minutes(3))) struct OwnershipTests {
    enum Recipe: String, CaseIterable, Sendable {
        case lock, writeLock, readLockAgainstWriter, semaphore, election

        /// Runs `body` while holding the recipe's ownership at `path` through `zk`.
        func hold<T: Sendable>(
            _ zk: ZooKeeperClient, _ path: String, writer: Bool, _ body: @Sendable () async throws -> T
        ) async throws -> T {
            switch self {
            case .lock:
                return try await DistributedLock(client: zk, path: path).withLock(body)
            case .writeLock:
                return try await ReadWriteLock(client: zk, path: path).withWriteLock(body)
            case .readLockAgainstWriter:
                // The frozen holder reads; the next one writes, so it must wait for the reader.
                let lock = ReadWriteLock(client: zk, path: path)
                return try await writer ? lock.withWriteLock(body) : lock.withReadLock(body)
            case .semaphore:
                return try await DistributedSemaphore(client: zk, path: path, leases: 1).withLease(body)
            case .election:
                return try await LeaderElection(client: zk, path: path, id: "\(writer)").lead(body)
            }
        }
    }

    /// The moments each holder acted, on one clock.
    final class Timeline: Sendable {
        private let acts = Mutex<[ContinuousClock.Instant]>([])
        func act() { acts.withLock { $0.append(.now) } }
        var last: ContinuousClock.Instant? { acts.withLock { $0.last } }
        var count: Int { acts.withLock { $0.count } }
    }

    @Test(arguments: Target.allCases, Recipe.allCases)
    func aFrozenHolderStopsBeforeTheNextOneStarts(_ target: Target, _ recipe: Recipe) async throws {
        try await target.runExpiring { proxied, connect, root, _, proxy in
            let other = try await connect()
            try await other.create(root)
            let path = root + "/owned"
            let frozen = Timeline()
            let holder = Task {
                try await recipe.hold(proxied, path, writer: false) {
                    while true {
                        try Task.checkCancellation()
                        frozen.act()
                        try await Task.sleep(for: .milliseconds(10))
                    }
                }
            }
            try await eventually(within: .seconds(30)) { frozen.count > 0 }
            proxy.stall()
            let started = try await recipe.hold(other, path, writer: true) { ContinuousClock.now }
            let outcome = await holder.result
            proxy.unstall()
            #expect(throws: OwnershipLost.self) { try outcome.get() }
            let lastAct = try #require(frozen.last)
            #expect(lastAct < started, "the frozen holder acted \(lastAct - started) after the next one started")
        }
    }

    @Test(arguments: Target.allCases)
    func fencingTokensGrowFromHolderToHolder(_ target: Target) async throws {
        try await target.run { connect, root in
            let (first, second) = (try await connect(), try await connect())
            try await first.create(root)
            let lock1 = DistributedLock(client: first, path: root + "/lock")
            let lock2 = DistributedLock(client: second, path: root + "/lock")
            let token1 = try #require(try await lock1.withLock { lock1.fencingToken })
            let token2 = try #require(try await lock2.withLock { lock2.fencingToken })
            #expect(token2 > token1)
            #expect(lock1.fencingToken == nil)
            let lease = try await DistributedSemaphore(client: first, path: root + "/semaphore", leases: 1).acquire()
            #expect(lease.fencingToken > token2)
            #expect(lease.sessionID == (try await first.session().id))
            try await lease.release()
            let election = LeaderElection(client: second, path: root + "/election", id: "b")
            let leaderToken = try #require(try await election.lead { election.fencingToken })
            #expect(leaderToken > lease.fencingToken)
            #expect(election.fencingToken == nil)
        }
    }

    @Test(arguments: Target.allCases)
    func lostReturnsWhenTheSessionExpires(_ target: Target) async throws {
        try await target.runExpiring { proxied, connect, root, expire, _ in
            let other = try await connect()
            try await other.create(root)
            let lock = DistributedLock(client: proxied, path: root + "/lock")
            try await lock.acquire()
            let token = try #require(lock.fencingToken)
            let lost = Task { try await lock.lost() }
            try await expire { try await other.getChildren(root + "/lock").isEmpty }
            let loss = try await lost.value
            #expect(loss.reason == .noContact || loss.reason == .sessionExpired)
            let next = DistributedLock(client: other, path: root + "/lock")
            try await next.acquire()
            #expect(try #require(next.fencingToken) > token)
            try await next.release()
        }
    }
}
