import Foundation
import ZooKeeper
import ZooKeeperTestSupport

/// Compare-and-set registers, one znode per key: `setData` with the version the worker last
/// saw, `sync` + `getData` reads (checked for linearizability), and plain `getData` reads
/// (checked for what ZooKeeper promises them: a session never reads older than it has already
/// seen or written, and a version always holds the value one write gave it).
final class RegisterWorkload: @unchecked Sendable {
    static let keys = (0..<3).map { "/jepsen/register/r\($0)" }
    let history = HistoryRecorder<ZnodeRegister>()
    private let lock = NSLock()
    /// What each session saw of each key, in the order it saw it: (session, key, state).
    private var observations: [(session: Int64, key: String, state: ZnodeRegister.State)] = []
    private(set) var plainReads = 0

    func prepare(_ client: ZooKeeperClient) async throws {
        try await client.ensurePath("/jepsen/register")
        for key in Self.keys { try await client.create(key, data: "0") }
    }

    /// Operations that completed with an answer (ok or a definite failure).
    var completedCount: Int { history.all.count { $0.operation.completed != nil } }

    private func observe(_ client: ZooKeeperClient, _ key: String, _ state: ZnodeRegister.State) async {
        record(session: (try? await client.session().id) ?? 0, key: key, state)
    }

    /// Notes that `session` saw `key` in `state` (read it, or wrote it).
    func record(session: Int64, key: String, _ state: ZnodeRegister.State) {
        lock.withLock { observations.append((session, key, state)) }
    }

    func run(worker: Int, client: ZooKeeperClient, control: RunControl, seed: UInt64) async {
        var random = SeededGenerator(seed: seed)
        var known: [String: Int32] = [:]
        while !control.isStopped {
            let key = Self.keys.randomElement(using: &random)!
            let choice = Int.random(in: 0..<10, using: &random)
            if choice < 4 {
                let value = control.unique()
                let expected = known[key] ?? 0
                let ticket = history.invoke(process: worker, key: key, .write(value: value, expected: expected))
                do {
                    let stat = try await client.setData(key, data: String(value), version: expected)
                    history.complete(ticket, .written(version: stat.version))
                    known[key] = stat.version
                    await observe(client, key, .init(version: stat.version, value: value))
                } catch let error as ZooKeeperError where error.code == .badVersion {
                    history.complete(ticket, .badVersion)
                    // Learn the current version for the next attempt (not part of the history).
                    if let node = try? await client.getData(key) { known[key] = node.stat.version }
                } catch {
                    history.complete(ticket, nil)
                    await backOff()
                }
            } else {
                let synced = choice < 7
                let ticket = synced ? history.invoke(process: worker, key: key, .read) : nil
                do {
                    if synced { try await client.sync(key) }
                    let node = try await client.getData(key)
                    let state = ZnodeRegister.State(
                        version: node.stat.version, value: Int(String(decoding: node.data, as: UTF8.self)) ?? -1)
                    if let ticket { history.complete(ticket, .read(state)) } else { lock.withLock { plainReads += 1 } }
                    known[key] = state.version
                    await observe(client, key, state)
                } catch {
                    if let ticket { history.complete(ticket, nil) }
                    await backOff()
                }
            }
        }
    }

    /// Reads every key once more after the run (synced, without faults), into the history.
    func finalReads(_ client: ZooKeeperClient, process: Int) async throws {
        for key in Self.keys {
            let ticket = history.invoke(process: process, key: key, .read)
            try await client.sync(key)
            let node = try await client.getData(key)
            let value = Int(String(decoding: node.data, as: UTF8.self)) ?? -1
            history.complete(ticket, .read(.init(version: node.stat.version, value: value)))
        }
    }

    /// The anomalies: keys whose history is not linearizable, sessions that read back in time,
    /// versions seen with two values.
    func anomalies() -> [String] {
        var found = HistoryRecorder<ZnodeRegister>.check(history.all, model: ZnodeRegister()).sorted { $0.key < $1.key }
            .map { "register \($0.key) is not linearizable: \($0.value)" }
        var latest: [String: Int32] = [:]  // "session key" -> newest version seen
        var values: [String: Int] = [:]  // "key version" -> value
        for (session, key, state) in lock.withLock({ observations }) {
            let slot = "\(session) \(key)"
            if let newest = latest[slot], state.version < newest {
                found.append("session \(session) read \(key) at version \(state.version) after seeing \(newest)")
            }
            latest[slot] = max(latest[slot] ?? 0, state.version)
            if let other = values["\(key) \(state.version)"], other != state.value {
                found.append("\(key) version \(state.version) seen holding \(other) and \(state.value)")
            }
            values["\(key) \(state.version)"] = state.value
        }
        return found
    }

    /// A line of figures for the report.
    func summary() -> String {
        let operations = history.all.map(\.operation)
        let writes = operations.filter { if case .write = $0.input { return true } else { return false } }
        let reads = operations.count - writes.count
        let unknown = operations.count { $0.completed == nil }
        let rejected = operations.count { $0.output == .badVersion }
        return "register: \(operations.count) operations (\(writes.count) compare-and-sets, \(rejected) rejected; "
            + "\(reads) synced reads; \(unknown) unknown outcomes), \(lock.withLock { plainReads }) plain reads"
    }
}
