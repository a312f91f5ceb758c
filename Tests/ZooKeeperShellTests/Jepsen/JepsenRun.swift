import Foundation
import ZooKeeper
import ZooKeeperTestSupport

/// What one Jepsen run is made of, from the environment: `JEPSEN_ROUNDS` fault rounds (each a
/// fault held `JEPSEN_FAULT_SECONDS`, then healed), on `JEPSEN_SIZE` members, with `JEPSEN_SEED`
/// choosing the faults and their victims (random, and printed, when unset).
struct JepsenSettings: Sendable {
    var rounds: Int
    var faultDuration: Duration
    var size: Int
    var seed: UInt64
    /// Where the history goes when a check fails (`JEPSEN_HISTORY_DIR`, else the temporary directory).
    var historyDirectory: URL

    static func fromEnvironment() -> JepsenSettings {
        let environment = ProcessInfo.processInfo.environment
        func number(_ name: String, _ fallback: Int) -> Int { environment[name].flatMap(Int.init) ?? fallback }
        return JepsenSettings(
            rounds: number("JEPSEN_ROUNDS", 9),
            faultDuration: .seconds(number("JEPSEN_FAULT_SECONDS", 5)),
            size: number("JEPSEN_SIZE", 3),
            seed: environment["JEPSEN_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...999_999),
            historyDirectory: environment["JEPSEN_HISTORY_DIR"].map { URL(fileURLWithPath: $0) }
                ?? FileManager.default.temporaryDirectory)
    }
}

/// Shared by the workers of a run: whether to stop, and a source of unique values.
final class RunControl: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var counter = 0

    var isStopped: Bool { lock.withLock { stopped } }
    func stop() { lock.withLock { stopped = true } }
    /// A value no other call returns.
    func unique() -> Int {
        lock.withLock {
            counter += 1
            return counter
        }
    }
}

/// The session timeout of the workers: the most members ticking every 250 ms grant (20 ticks).
let jepsenSessionTimeout = Duration.seconds(5)

/// The client configuration of the workers: a session moves to another member when its own is
/// cut off, and expires only when it can reach none for the session timeout; requests give up
/// within a fault round (an unknown outcome, recorded as such).
func jepsenConfiguration() -> ZooKeeperClient.Configuration {
    var configuration = ZooKeeperClient.Configuration()
    configuration.sessionTimeout = jepsenSessionTimeout
    configuration.connectTimeout = .seconds(60)
    configuration.requestTimeout = .seconds(5)
    configuration.failFast = false
    return configuration
}

/// Pauses a worker after a failed request, so an outage is not a busy loop.
func backOff() async {
    try? await Task.sleep(for: .milliseconds(100))
}
