import Foundation
import Synchronization
import Testing
import ZooKeeper
import ZooKeeperTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// `zk lock` and `zk elect` whose connection freezes (open, no bytes: a partition) stop their
/// command before another process can take over: timestamps written by the two commands never
/// overlap, the frozen one exits with status 8, and fencing tokens grow from holder to holder.
@Suite(.timeLimit(.minutes(3))) struct OwnedCommandTests {
    enum Command: String, CaseIterable, Sendable {
        case lock, elect

        var arguments: [String] { [rawValue, "/owned"] + (self == .elect ? ["--id", "x"] : []) + ["--"] }
        var fence: String { self == .lock ? "ZK_LOCK_FENCE" : "ZK_LEADER_FENCE" }
    }

    /// A temporary directory for the commands' records.
    struct Records {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zk-owned-\(UUID().uuidString)")

        init() throws {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }

        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

        /// The `nanoseconds fence` lines of a record.
        func lines(_ name: String) -> [(time: Int64, fence: Int64)] {
            let text = (try? String(contentsOfFile: path(name), encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line in
                let fields = line.split(separator: " ")
                guard fields.count == 2, let time = Int64(fields[0]), let fence = Int64(fields[1]) else { return nil }
                return (time, fence)
            }
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    /// The connect string through `proxy` to the same server and chroot as `address`.
    static func proxied(_ address: String, _ proxy: TCPProxy) -> String {
        let chroot = address.firstIndex(of: "/").map { String(address[$0...]) } ?? ""
        return "127.0.0.1:\(proxy.port)\(chroot)"
    }

    static func upstreamPort(_ address: String) -> Int {
        Int(address.split(separator: "/")[0].split(separator: ",")[0].split(separator: ":")[1])!
    }

    /// Runs `arguments` (zk holding something, its command writing record "a"), in a process
    /// group of its own if `ownGroup` (in this session: a group left without a parent in it
    /// would get SIGHUP when stopped); returns once the command has written, with zk's process ID.
    static func holder(_ arguments: [String], _ records: Records, ownGroup: Bool) async throws -> (
        Task<ChildProcess.Result, any Error>, pid_t
    ) {
        let start =
            "import os, sys; \(ownGroup ? "os.setpgid(0, 0); " : "")open(sys.argv[1], 'w').write(str(os.getpid())); os.execv(sys.argv[2], sys.argv[2:])"
        let holder = Task {
            try await ChildProcess.run(
                "/usr/bin/env", ["python3", "-c", start, records.path("pid")] + arguments,
                environment: ShellCommandTests.environment())
        }
        try await untilHolding(records, holder)
        let text = try String(contentsOfFile: records.path("pid"), encoding: .utf8)
        return (holder, try #require(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))))
    }

    /// Waits until the holder's command has written record "a"; a holder that ends first fails
    /// the test with its status and what it said.
    static func untilHolding(_ records: Records, _ holder: Task<ChildProcess.Result, any Error>) async throws {
        let ended = Mutex<ChildProcess.Result?>(nil)
        let watcher = Task { if let result = try? await holder.value { ended.withLock { $0 = result } } }
        defer { watcher.cancel() }
        try await eventually(within: .seconds(60)) { !records.lines("a").isEmpty || ended.withLock { $0 != nil } }
        if records.lines("a").isEmpty, let result = ended.withLock({ $0 }) {
            throw HolderEnded(result: result)
        }
    }

    struct HolderEnded: Error, CustomStringConvertible {
        let result: ChildProcess.Result
        var description: String {
            "the holder ended (status \(result.status)) before its command wrote: \(result.errorText)"
        }
    }

    @Test(arguments: ShellTarget.allCases, Command.allCases)
    func aFrozenHolderStopsItsCommandBeforeTheNextOneStarts(_ target: ShellTarget, _ command: Command) async throws {
        try await target.withConnectString { address in
            let proxy = try await TCPProxy.start(upstreamPort: Self.upstreamPort(address))
            defer { proxy.stop() }
            let records = try Records()
            defer { records.remove() }
            let zk = ServeCommandTests.zk.path
            let holding =
                "while :; do echo \"$(date +%s%N) $\(command.fence)\" >> '\(records.path("a"))'; sleep 0.02; done"
            let holder = Task {
                try await ChildProcess.run(
                    zk,
                    ["-s", Self.proxied(address, proxy), "--timeout", "8"] + command.arguments + ["sh", "-c", holding],
                    environment: ShellCommandTests.environment())
            }
            try await Self.untilHolding(records, holder)
            proxy.stall()
            let next = try await ShellCommandTests.zk(
                ["-s", address] + command.arguments + [
                    "sh", "-c", "echo \"$(date +%s%N) $\(command.fence)\" > '\(records.path("b"))'",
                ])
            let frozen = try await holder.value
            proxy.unstall()
            #expect(next.status == 0, "\(next.errorText)")
            #expect(frozen.status == 8, "\(frozen.errorText)")
            #expect(frozen.errorText.contains("lost"), "\(frozen.errorText)")
            #expect(frozen.errorText.split(separator: "\n").count == 1, "\(frozen.errorText)")
            let (a, b) = (records.lines("a"), try #require(records.lines("b").first))
            let lastA = try #require(a.last)
            #expect(
                lastA.time < b.time,
                "the frozen holder wrote \((lastA.time - b.time) / 1_000_000) ms after the next began")
            #expect(b.fence > lastA.fence)
            #expect(Set(a.map(\.fence)).count == 1)
        }
    }

    /// What a pause stops: zk and its command together (Ctrl-Z, `kill -STOP -PGID`), or zk alone
    /// (a debugger, `kill -STOP PID`).
    enum Pause: String, CaseIterable, Sendable {
        case job, zkAlone
    }

    /// A holder paused past its session's expiry: the ownership guard (a process of its own
    /// group) kills the command at the deadline, paused or not, so it never acts once another
    /// holder may have started; once resumed, zk exits with status 8; fencing tokens grow.
    @Test(arguments: Command.allCases, Pause.allCases)
    func aPausedHolderNeverActsAfterTheNextOneStarts(_ command: Command, _ pause: Pause) async throws {
        try await ShellTarget.embedded.withConnectString { address in
            let records = try Records()
            defer { records.remove() }
            let zk = ServeCommandTests.zk.path
            let holding =
                "while :; do echo \"$(date +%s%N) $\(command.fence)\" >> '\(records.path("a"))'; sleep 0.02; done"
            // zk leads a process group of its own, with its command, as a shell's job does.
            let (holder, zkProcess) = try await Self.holder(
                [zk, "-s", address, "--timeout", "8"] + command.arguments + ["sh", "-c", holding], records,
                ownGroup: true)
            let target = pause == .job ? -zkProcess : zkProcess
            kill(target, SIGSTOP)
            let next = try await ShellCommandTests.zk(
                ["-s", address] + command.arguments + [
                    "sh", "-c", "echo \"$(date +%s%N) $\(command.fence)\" > '\(records.path("b"))'",
                ])
            kill(target, SIGCONT)
            let paused = try await holder.value
            #expect(next.status == 0, "\(next.errorText)")
            #expect(paused.status == 8, "\(paused.errorText)")
            let b = try #require(records.lines("b").first)
            let lastA = try #require(records.lines("a").last)
            #expect(
                lastA.time < b.time,
                "the paused holder wrote \((lastA.time - b.time) / 1_000_000) ms after the next began")
            #expect(lastA.fence < b.fence)
        }
    }

    /// zk killed while its command runs under the lock: nobody watches the session any more, so
    /// the guard gives the command SIGTERM at once (it used to run on, orphaned, for ever).
    @Test func theCommandOfAKilledZkIsStopped() async throws {
        try await ShellTarget.embedded.withConnectString { address in
            let records = try Records()
            defer { records.remove() }
            let zk = ServeCommandTests.zk.path
            let holding =
                "trap 'echo stopped > \(records.path("term")); exit 0' TERM; echo \"0 0\" > '\(records.path("a"))'; while :; do sleep 0.05; done"
            let (holder, zkProcess) = try await Self.holder(
                [zk, "-s", address, "--timeout", "8", "lock", "/owned", "--", "sh", "-c", holding], records,
                ownGroup: false)
            kill(zkProcess, SIGKILL)
            #expect(try await holder.value.status == 128 + SIGKILL)
            try await eventually(within: .seconds(60)) {
                FileManager.default.fileExists(atPath: records.path("term"))
            }
        }
    }
}
