import Foundation
import ZooKeeper
import ZooKeeperRecipes
import ZooKeeperTestSupport

/// A `DistributedLock` guarding a fenced resource: holders write to the resource with their
/// fencing token (the lock node's czxid), which it refuses when a newer token has written. A holder
/// whose lock can no longer be trusted has its work cancelled (`withLock`'s contract); one holder
/// keeps the lock for seconds and, once cancelled, writes once more late, as a paused process
/// would, after a newer holder has written (the fence refuses it). Checked: tokens grow from one
/// holder to the next, no two holders overlap unless one was cancelled, and the resource never
/// refuses a holder before its work was cancelled (the lock trusted too long).
final class LockWorkload: @unchecked Sendable {
    static let path = "/jepsen/lock"

    /// One turn of a holder: its token, when it got and gave up the lock (positions in one
    /// order), whether it was cancelled (the lock lost), whether the resource refused it before
    /// that, and whether its late write after the loss was refused.
    struct Turn {
        var holder: Int
        var token: Int64
        var entered: Int
        var left: Int
        var lost: Bool
        var refusedWhileTrusted: Bool
        var fencedOff: Bool = false
    }

    private let lock = NSLock()
    private var clock = 0
    private var highestToken: Int64 = .min
    private var turns: [Turn] = []
    private var failures = 0
    /// The holders in their turn, and since when.
    private var holders: [Int: ContinuousClock.Instant] = [:]
    /// Each holder's last failed acquisition, for a wait on it that runs out.
    private var lastFailure: [Int: String] = [:]

    /// Whether `holder` got the lock less than `age` ago and still has it.
    func isHolding(_ holder: Int, since age: Duration) -> Bool {
        lock.withLock { holders[holder].map { ContinuousClock.now - $0 < age } ?? false }
    }

    /// What `holder` has done: its turns, whether it holds now, its last failure.
    func report(_ holder: Int) -> String {
        lock.withLock {
            let holding = holders[holder].map { "holding for \(ContinuousClock.now - $0)" } ?? "not holding"
            return "holder \(holder): \(turns.count { $0.holder == holder }) turns, \(holding), last failure: "
                + (lastFailure[holder] ?? "none")
        }
    }

    private func tick() -> Int {
        lock.withLock {
            clock += 1
            return clock
        }
    }

    /// The fenced resource: accepts a write whose token is at least the highest it has seen.
    private func write(token: Int64) -> Bool {
        lock.withLock {
            guard token >= highestToken else { return false }
            highestToken = token
            return true
        }
    }

    /// Takes turns until stopped, holding the lock `hold` each time (less when cancelled); a
    /// holder with `writesLate` makes a late write after losing the lock.
    /// `wait` bounds each acquisition (a busy machine serves the queue ahead slowly; giving up
    /// sends the holder to its end).
    func run(
        holder: Int, client: ZooKeeperClient, control: RunControl, hold: Duration = .milliseconds(30),
        wait: Duration = .seconds(10), writesLate: Bool = false
    ) async {
        let distributedLock = DistributedLock(client: client, path: Self.path)
        while !control.isStopped {
            do {
                try await distributedLock.withLock(timeout: wait) {
                    let token = distributedLock.fencingToken ?? .min
                    var turn = Turn(
                        holder: holder, token: token, entered: self.tick(), left: 0, lost: false,
                        refusedWhileTrusted: false)
                    let until = ContinuousClock.now + hold
                    self.lock.withLock { self.holders[holder] = ContinuousClock.now }
                    defer { self.lock.withLock { self.holders[holder] = nil } }
                    repeat {
                        let trusted = !Task.isCancelled
                        if !self.write(token: token) && trusted { turn.refusedWhileTrusted = true }
                        try? await Task.sleep(for: .milliseconds(30))
                    } while !Task.isCancelled && ContinuousClock.now < until && !control.isStopped
                    turn.lost = Task.isCancelled
                    turn.left = self.tick()

                    self.record(turn)
                }
            } catch {
                lock.withLock {
                    failures += 1
                    lastFailure[holder] = "\(error)"
                }
                if writesLate { await writeLate(holder: holder) }
                await backOff()
            }
        }
    }

    /// After `holder` lost the lock: once a newer holder has written (within 30 s), writes with
    /// the old token, as a paused process would, and notes whether the resource refused it.
    private func writeLate(holder: Int) async {
        guard let index = lock.withLock({ turns.lastIndex { $0.holder == holder } }),
            lock.withLock({ turns[index].lost && !turns[index].fencedOff })
        else { return }
        let token = lock.withLock { turns[index].token }
        guard (try? await eventually(within: .seconds(30), { self.lock.withLock { self.highestToken > token } })) != nil
        else { return }
        let refused = !write(token: token)
        lock.withLock { turns[index].fencedOff = refused }
    }

    func record(_ turn: Turn) { lock.withLock { turns.append(turn) } }

    func anomalies() -> [String] {
        let turns = lock.withLock { self.turns }
        // The lock's ownership guard still trusted a lock that ZooKeeper had passed on.
        var found = turns.filter(\.refusedWhileTrusted).map {
            "the resource refused holder \($0.holder) (token \($0.token)) before the lock told it the lock was lost"
        }
        for (index, turn) in turns.enumerated() {
            for other in turns[(index + 1)...] {
                let overlap = turn.entered < other.left && other.entered < turn.left
                if overlap && !turn.lost && !other.lost {
                    found.append("holders \(turn.holder) and \(other.holder) held the lock at once")
                }
                // The one that started after the other ended must hold a newer token.
                let (first, second) = turn.left < other.entered ? (turn, other) : (other, turn)
                if first.left < second.entered && second.token <= first.token {
                    found.append("token \(second.token) granted after token \(first.token)")
                }
            }
        }
        return found
    }

    func summary() -> String {
        lock.withLock {
            "lock: \(turns.count) turns, \(turns.count { $0.lost }) cancelled on losing the lock, "
                + "\(turns.count { $0.fencedOff }) late writes fenced off, \(turns.count { $0.refusedWhileTrusted }) "
                + "writes fenced off before the loss was noticed, \(failures) acquisitions failed"
        }
    }
}
