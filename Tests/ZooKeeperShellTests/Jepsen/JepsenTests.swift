import Foundation
import Testing
import ZooKeeper
import ZooKeeperTestSupport

/// Jepsen-grade verification against a real Apache ZooKeeper ensemble whose members run in
/// network namespaces of their own: rounds of network partitions (leader isolated, majority and
/// minority, bridge, one-way), lossy and slow links and paused members, healed after each round,
/// while the client library, the recipes and the `zk` tool run workloads whose histories are then
/// checked (registers for linearizability; ids, counter, queue, lock and `zk` for their
/// invariants). `make test` runs a short version, `make jepsen` a long one (JEPSEN_* variables,
/// see `JepsenSettings`). Needs root and Linux network namespaces, and fails without them.
@Suite(.serialized, .timeLimit(.minutes(60))) struct JepsenTests {
    @Test func workloadsStayCorrectThroughNetworkFaults() async throws {
        let settings = JepsenSettings.fromEnvironment()
        print(
            "jepsen: seed \(settings.seed) (JEPSEN_SEED), \(settings.rounds) rounds of \(settings.faultDuration) faults "
                + "on \(settings.size) members")
        try await NamespacedEnsemble.with(size: settings.size) { ensemble in
            try await JepsenRunner(ensemble: ensemble, settings: settings).run()
        }
    }

    /// Checks a history saved by a failed run again: `JEPSEN_REPLAY=file make jepsen-replay`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["JEPSEN_REPLAY"] != nil))
    func aSavedHistoryIsLinearizable() throws {
        let file = URL(fileURLWithPath: ProcessInfo.processInfo.environment["JEPSEN_REPLAY"]!)
        let entries = try HistoryRecorder<ZnodeRegister>.load(from: file)
        let failures = HistoryRecorder<ZnodeRegister>.check(entries, model: ZnodeRegister())
        print("jepsen replay: \(entries.count) operations, \(failures.count) keys not linearizable")
        for (key, result) in failures.sorted(by: { $0.key < $1.key }) { Issue.record("\(key): \(result)") }
    }
}

/// One run: the workloads on their own sessions, the nemesis's rounds, the checks.
struct JepsenRunner {
    let ensemble: NamespacedEnsemble
    let settings: JepsenSettings
    /// The long lock holder (its client's index) and the only member its client uses.
    let longHolder = 13
    let lockHolderMember = 1

    /// Runs the workloads and checks them; every session and the watcher are closed at the end,
    /// on failure too.
    func run() async throws {
        let opened = OpenedClients()
        let shell = ShellWorkload()
        do {
            try await run(opened: opened, shell: shell)
        } catch {
            await shell.discard()
            await opened.closeAll()
            throw error
        }
        await opened.closeAll()
    }

    private func run(opened: OpenedClients, shell: ShellWorkload) async throws {
        let connect = { (connectString: String) in
            let client = try await ZooKeeperClient.connect(connectString, configuration: jepsenConfiguration())
            opened.append(client)
            return client
        }
        let admin = try await connect(ensemble.connectString)
        let register = RegisterWorkload()
        let ids = UniqueIdWorkload()
        let counter = CounterWorkload()
        let queue = QueueWorkload()
        let lock = LockWorkload()
        try await register.prepare(admin)
        try await ids.prepare(admin)
        try await shell.prepare(admin)
        var workers: [ZooKeeperClient] = []
        for _ in 0..<13 { workers.append(try await connect(ensemble.connectString)) }
        // The long lock holder reaches one member only: cut off, its session expires. It holds the
        // lock longer than the session timeout, so a cut finds it holding.
        workers.append(try await connect(ensemble.address(of: lockHolderMember)))
        let clients = workers
        try await shell.startWatcher(connectString: ensemble.connectString)
        let control = RunControl()
        let faults = LockedLog()
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    await register.run(
                        worker: worker, client: clients[worker], control: control,
                        seed: settings.seed &+ UInt64(worker))
                }
            }
            group.addTask { await ids.run(worker: 0, client: clients[4], control: control) }
            for index in 5...6 { group.addTask { await counter.run(client: clients[index], control: control) } }
            group.addTask { await queue.produce(client: clients[7], control: control) }
            for index in 8...9 { group.addTask { await queue.consume(client: clients[index], control: control) } }
            for index in 10...12 {
                group.addTask { await lock.run(holder: index, client: clients[index], control: control) }
            }
            group.addTask {
                await lock.run(
                    holder: longHolder, client: clients[longHolder], control: control, hold: .seconds(8),
                    wait: .seconds(60), writesLate: true)
            }
            group.addTask { await shell.run(connectString: ensemble.connectString, control: control) }
            group.addTask {
                defer { control.stop() }
                try await rounds(register: register, lock: lock, clients: clients, faults: faults)
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - started

        try await register.finalReads(admin, process: 99)
        let checking = ContinuousClock.now
        var anomalies = register.anomalies()
        print("jepsen: register histories checked in \(ContinuousClock.now - checking)")
        anomalies += try await ids.anomalies(admin)
        anomalies += try await counter.anomalies(admin)
        anomalies += try await queue.anomalies(admin)
        anomalies += lock.anomalies()
        anomalies += try await shell.anomalies(admin)

        print(
            "jepsen: seed \(settings.seed): \(settings.rounds) rounds in \(elapsed), faults: "
                + faults.lines.joined(separator: "; "))
        for line in [
            register.summary(), ids.summary(), counter.summary(), queue.summary(), lock.summary(), shell.summary(),
        ] {
            print("jepsen: \(line)")
        }
        let audit = await EnsembleAudit.run(ensemble)
        print("jepsen: \(audit.summary)")
        for finding in audit.findings { print("jepsen: ensemble: \(finding)") }
        print("jepsen: anomalies: \(anomalies.count)")
        if !anomalies.isEmpty || !audit.findings.isEmpty {
            let file = settings.historyDirectory.appendingPathComponent("jepsen-history-\(settings.seed).json")
            try register.history.save(to: file)
            print("jepsen: register history saved to \(file.path) (JEPSEN_REPLAY=\(file.path) make jepsen-replay)")
            let files = settings.historyDirectory.appendingPathComponent("jepsen-ensemble-\(settings.seed)")
            try ensemble.preserveFiles(in: files)
            print("jepsen: the members' data directories and logs copied to \(files.path) (zk txnlog reads them)")
        }
        for problem in audit.unreadable { Issue.record("ensemble audit: \(problem)") }
        guard !audit.findings.isEmpty else {
            for anomaly in anomalies { Issue.record("\(anomaly)") }
            return
        }
        // The checks assume a linearizable ensemble. Once Apache's own digest check (or the logs)
        // shows a member's tree apart from its leader's, what the clients saw proves nothing about
        // them: the run is inconclusive, and says so, as a known defect of the server.
        print(
            "jepsen: inconclusive for the client: the ensemble itself diverged (Apache ZooKeeper \(audit.serverVersion))"
        )
        withKnownIssue("Apache ZooKeeper \(audit.serverVersion)'s ensemble diverged under these faults") {
            for finding in audit.findings { Issue.record("the ensemble itself: \(finding)") }
            for anomaly in anomalies { Issue.record("\(anomaly) (while the ensemble had diverged)") }
        }
    }

    /// The nemesis's rounds: wait for progress, inject a fault, hold it, heal, wait until the
    /// ensemble has settled and the registers make progress again.
    func rounds(
        register: RegisterWorkload, lock: LockWorkload, clients: [ZooKeeperClient], faults: LockedLog
    ) async throws {
        var nemesis = Nemesis(ensemble: ensemble, lockHolderMember: lockHolderMember, seed: settings.seed)
        try await progress(register)
        for (round, fault) in nemesis.schedule(rounds: settings.rounds).enumerated() {
            let what: String
            do {
                if fault == .isolateLockHolder {
                    // A cut in the first second of a turn finds the holder holding past its session.
                    try await eventually(
                        within: .seconds(180),
                        waitingFor: "the long lock holder to start a turn (\(lock.report(longHolder)))"
                    ) { lock.isHolding(longHolder, since: .seconds(1)) }
                }
                what = try await nemesis.inject(fault, clients: clients)
                try await Task.sleep(for: fault.held(for: settings.faultDuration))
                try await nemesis.heal()
            } catch {
                try? await nemesis.heal()
                throw error
            }
            faults.append("\(fault.rawValue): \(what)")
            print("jepsen: round \(round + 1): \(fault.rawValue): \(what); healed")
            try await ensemble.waitUntilSettled()
            try await progress(register)
        }
    }

    /// Waits until the registers have had 20 more answers: the ensemble serves again.
    func progress(_ register: RegisterWorkload) async throws {
        let start = register.completedCount
        try await eventually(
            within: .seconds(180), waitingFor: "20 more register answers (\(register.completedCount - start) came)"
        ) { register.completedCount >= start + 20 }
    }
}

/// Lines appended by one task and read by another.
final class LockedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ line: String) { lock.withLock { stored.append(line) } }
    var lines: [String] { lock.withLock { stored } }
}
