import Foundation
import ZooKeeper
import ZooKeeperRecipes

/// A `DistributedLock` guarding a fenced resource: holders write to the resource with their
/// fencing token (the lock node's czxid), which it refuses when a newer token has written. Checked:
/// tokens grow from one holder to the next, no two holders who both still held the lock overlap,
/// and the resource never refused a holder who still held it.
final class LockWorkload: @unchecked Sendable {
    static let path = "/jepsen/lock"

    /// One turn of a holder: its token, when it got and gave up the lock (positions in one
    /// order), whether it still held the lock when leaving, and whether the resource refused it.
    struct Turn {
        var holder: Int
        var token: Int64
        var entered: Int
        var left: Int
        var stillHeld: Bool
        var refused: Bool
    }

    private let lock = NSLock()
    private var clock = 0
    private var highestToken: Int64 = .min
    private var turns: [Turn] = []
    private var failures = 0

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

    func run(holder: Int, client: ZooKeeperClient, control: RunControl) async {
        let distributedLock = DistributedLock(client: client, path: Self.path)
        while !control.isStopped {
            do {
                try await distributedLock.withLock(timeout: .seconds(10)) {
                    let token = distributedLock.fencingToken ?? .min
                    let entered = self.tick()
                    var refused = !self.write(token: token)
                    try? await Task.sleep(for: .milliseconds(30))
                    refused = !self.write(token: token) || refused
                    let stillHeld = distributedLock.isHeld
                    self.record(
                        Turn(
                            holder: holder, token: token, entered: entered, left: self.tick(), stillHeld: stillHeld,
                            refused: refused))
                }
            } catch {
                lock.withLock { failures += 1 }
                await backOff()
            }
        }
    }

    func record(_ turn: Turn) { lock.withLock { turns.append(turn) } }

    func anomalies() -> [String] {
        let turns = lock.withLock { self.turns }
        var found: [String] = []
        for (index, turn) in turns.enumerated() {
            for other in turns[(index + 1)...] {
                let overlap = turn.entered < other.left && other.entered < turn.left
                if overlap && turn.stillHeld && other.stillHeld {
                    found.append("holders \(turn.holder) and \(other.holder) held the lock at once")
                }
                // `other` started after `turn` ended: it must hold a newer token.
                let (first, second) = turn.left < other.entered ? (turn, other) : (other, turn)
                if first.left < second.entered && second.token <= first.token {
                    found.append("token \(second.token) granted after token \(first.token)")
                }
            }
            if turn.refused && turn.stillHeld { found.append("the resource refused holder \(turn.holder)'s token") }
        }
        return found
    }

    func summary() -> String {
        lock.withLock {
            "lock: \(turns.count) turns, \(turns.count { !$0.stillHeld }) lost while held, "
                + "\(turns.count { $0.refused }) fenced off, \(failures) acquisitions failed"
        }
    }
}
