import Foundation
import ZooKeeper
import ZooKeeperShell
import ZooKeeperTestSupport

/// The `zk` tool through the faults: one-shot `zk create` commands (retried with the same path
/// while the tool reports a connection failure, status 7), and a `zk watch -R --json` process
/// on their parent. Checked: every acknowledged create is there at the end, each status was one
/// the tool documents for it, and the watcher, still running, reported only creates that were
/// made, none twice.
final class ShellWorkload: @unchecked Sendable {
    static let path = "/jepsen/shell"
    private let lock = NSLock()
    private var acknowledged: [String] = []
    private var attempted: Set<String> = []
    private var connectionFailures = 0
    private var unexpected: [String] = []
    private var watchedCreates = 0
    private var watcher: Process?
    private let watchOutput = FileManager.default.temporaryDirectory
        .appendingPathComponent("jepsen-watch-\(UUID().uuidString).jsonl")
    private let watchErrors = FileManager.default.temporaryDirectory
        .appendingPathComponent("jepsen-watch-\(UUID().uuidString).log")

    func prepare(_ client: ZooKeeperClient) async throws { try await client.ensurePath(Self.path) }

    /// Starts `zk watch -R` on the parent (stopped by `anomalies`, or `discard` on failure).
    func startWatcher(connectString: String) async throws {
        _ = FileManager.default.createFile(atPath: watchOutput.path, contents: nil)
        _ = FileManager.default.createFile(atPath: watchErrors.path, contents: nil)
        let process = Process()
        process.executableURL = ServeProcess.zk
        process.arguments = ["-s", connectString, "--connect-timeout", "60", "watch", "-R", "--json", Self.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: watchOutput)
        process.standardError = try FileHandle(forWritingTo: watchErrors)
        try process.run()
        lock.withLock { watcher = process }
    }

    /// Stops the watcher and removes its files, when the run fails before `anomalies`.
    func discard() async {
        await stopWatcher()
        removeFiles()
    }

    private func removeFiles() {
        try? FileManager.default.removeItem(at: watchOutput)
        try? FileManager.default.removeItem(at: watchErrors)
    }

    private func stopWatcher() async {
        guard let process = lock.withLock({ watcher }), process.isRunning else { return }
        process.terminate()
        await ZooKeeperTestSupport.ChildProcess.waitUntilExit(process)
    }

    func run(connectString: String, control: RunControl) async {
        var index = 0
        while !control.isStopped {
            index += 1
            let path = "\(Self.path)/n\(index)"
            lock.withLock { _ = attempted.insert(path) }
            var attempts = 0
            var status: Int32 = ExitStatus.connection
            while status == ExitStatus.connection && attempts < 10 {
                attempts += 1
                status =
                    (try? await ZooKeeperTestSupport.ChildProcess.run(
                        ServeProcess.zk.path, ["-s", connectString, "--connect-timeout", "20", "create", path, "x"]
                    ).status) ?? ExitStatus.connection
                if status == ExitStatus.connection { lock.withLock { connectionFailures += 1 } }
            }
            lock.withLock {
                // Exists is an acknowledged create only after a retry (a lost reply).
                if status == 0 || (status == ExitStatus.nodeExists && attempts > 1) {
                    acknowledged.append(path)
                } else if status != ExitStatus.connection {
                    unexpected.append("zk create \(path) exited \(status) after \(attempts) attempts")
                }
            }
        }
    }

    func anomalies(_ client: ZooKeeperClient) async throws -> [String] {
        try await client.sync(Self.path)
        let present = Set(try await client.getChildren(Self.path).map { Self.path + "/" + $0 })
        let watcherAlive = lock.withLock { watcher?.isRunning ?? false }
        await stopWatcher()
        defer { removeFiles() }
        let lines = (try? String(contentsOf: watchOutput, encoding: .utf8)) ?? ""
        let created = lines.split(separator: "\n").compactMap { line -> String? in
            guard
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                object["type"] as? String == "NodeCreated"
            else { return nil }
            return object["path"] as? String
        }
        let (acknowledged, attempted, unexpected) = lock.withLock {
            (self.acknowledged, self.attempted, self.unexpected)
        }
        var found = unexpected
        let lost = acknowledged.filter { !present.contains($0) }
        if !lost.isEmpty { found.append("zk creates acknowledged and lost: \(lost)") }
        if !watcherAlive {
            let status = lock.withLock { watcher?.terminationStatus ?? -1 }
            let errors = (try? String(contentsOf: watchErrors, encoding: .utf8)) ?? ""
            found.append("zk watch -R exited during the run (status \(status)): \(errors.suffix(1000))")
        }
        let phantom = created.filter { !attempted.contains($0) }
        if !phantom.isEmpty { found.append("zk watch -R reported creates never made: \(phantom)") }
        if Set(created).count != created.count { found.append("zk watch -R reported a create twice") }
        if created.isEmpty && !acknowledged.isEmpty { found.append("zk watch -R reported no create at all") }
        lock.withLock { watchedCreates = created.count }
        return found
    }

    func summary() -> String {
        lock.withLock {
            "zk: \(acknowledged.count) one-shot creates acknowledged (\(connectionFailures) attempts failed on the "
                + "connection), \(watchedCreates) seen by zk watch -R"
        }
    }
}
