import ArgumentParser
import NIOCore
import ProcessSupport
import Synchronization
import ZooKeeper
import ZooKeeperProtocol
import ZooKeeperRecipes

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a command as a child process with this process's stdin, stdout and stderr; returns its
/// exit status. Cancelling the caller stops the command (SIGTERM).
enum ChildCommand {
    /// - Parameter input: when given, the command's stdin is a pipe that delivers these bytes and
    ///   then ends (written on a thread of its own; a command that does not read them is fine).
    static func run(_ arguments: [String], environment: [String: String] = [:], input: [UInt8]? = nil) async throws
        -> Int32
    {
        let process: ChildProcess
        if let input {
            let (readEnd, writeEnd) = try pipeEnds()
            do {
                defer { close(readEnd) }
                process = try ChildProcess(
                    "/usr/bin/env", arguments: ["env"] + arguments, environment: merged(environment),
                    standardStreams: (readEnd, FileDescriptorIO.standardOutput, FileDescriptorIO.standardError))
            } catch {
                close(writeEnd)
                throw error
            }
            Blocking.onOwnThread {
                FileDescriptorIO.writeAll(input, to: writeEnd)
                close(writeEnd)
            }
        } else {
            process = try start(arguments, environment: environment)
        }
        return await withTaskCancellationHandler {
            await process.status()
        } onCancel: {
            process.terminate()
        }
    }

    /// Runs a command under ownership held through `sessionID` (a lock, leadership), through an
    /// `OwnershipGuard` process: once the server has not answered for so long that it could
    /// expire the session within `grace` plus a safety margin, the command gets SIGTERM, and
    /// SIGKILL at the margin if it is still running, so it has ended before another process
    /// could take over, even when zk is paused or dead by then. Returns its exit status; throws
    /// `OwnershipLost` when it was stopped so.
    static func runOwned(
        _ arguments: [String], environment: [String: String], zk: ZooKeeperClient, sessionID: Int64, grace: Duration?
    ) async throws -> Int32 {
        guard let executable = ZKCommand.executable else {
            throw ShellError("a command under a lock or leadership runs only from the zk executable")
        }
        let timeout = try await zk.session().timeout.nanoseconds
        let margin = max(100_000_000, timeout / 10)
        let grace = grace?.nanoseconds ?? min(10_000_000_000, timeout / 5)
        // After a wait in line with nothing written, the command starts only once a sync has
        // proven contact with the leader again (see `ZooKeeperClient.ownershipLost`).
        try await zk.renewLeaderContact(sessionID: sessionID, margin: .nanoseconds(margin + grace))
        let (deadlinesIn, deadlinesOut) = try pipeEnds()
        let (reportIn, reportOut) = try pipeEnds()
        defer { [deadlinesOut, reportIn].forEach { _ = close($0) } }
        let process: ChildProcess
        do {
            process = try ChildProcess(
                executable, arguments: ["zk", OwnershipGuard.flag, "\(getpgrp())", "--"] + arguments,
                environment: merged(environment), descriptors: [deadlinesIn, reportOut], processGroup: 0)
        } catch {
            [deadlinesIn, reportOut].forEach { _ = close($0) }
            throw error
        }
        [deadlinesIn, reportOut].forEach { _ = close($0) }
        _ = fcntl(deadlinesOut, F_SETFL, O_NONBLOCK)
        // What the guard was told last, and the deadlines of a stop asked for (cancellation),
        // which later ones never postpone.
        let told = Mutex<(sent: OwnershipGuard.Deadlines?, stop: OwnershipGuard.Deadlines)>((nil, .never))
        let send: @Sendable (OwnershipGuard.Deadlines) -> Void = { wanted in
            told.withLock { told in
                let deadlines = wanted.earliest(told.stop)
                guard deadlines != told.sent else { return }
                var bytes = deadlines.bytes
                _ = write(deadlinesOut, &bytes, bytes.count)
                told.sent = deadlines
            }
        }
        // The guard's deadlines move on with every proof of contact with the leader.
        let tick = Duration.nanoseconds(min(200_000_000, max(20_000_000, timeout / 20)))
        let feeder = Task {
            while !Task.isCancelled {
                let session = try await zk.session()
                let deadlines: OwnershipGuard.Deadlines
                if session.id == sessionID, let safeUntil = session.safeUntil {
                    let kill = Int64(NIODeadline(safeUntil).uptimeNanoseconds) - margin
                    deadlines = .init(terminate: kill - grace, kill: kill)
                } else {
                    deadlines = .init(terminate: OwnershipGuard.now(), kill: OwnershipGuard.now())
                }
                send(deadlines)
                try await Task.sleep(for: tick)
            }
        }
        let lost = Mutex<OwnershipLost?>(nil)
        let watchdog = Task {
            let loss = try await zk.ownershipLost(sessionID: sessionID, margin: .nanoseconds(margin + grace))
            lost.withLock { $0 = loss }
        }
        let status = await withTaskCancellationHandler {
            await process.status()
        } onCancel: {
            // SIGTERM now, SIGKILL after the grace period or at the deadline, whichever comes first.
            let now = OwnershipGuard.now()
            let stop = told.withLock { told in
                told.stop = OwnershipGuard.Deadlines(terminate: now, kill: min(now + grace, told.sent?.kill ?? .max))
                return told.stop
            }
            send(stop)
        }
        feeder.cancel()
        watchdog.cancel()
        var byte: UInt8 = 0
        _ = fcntl(reportIn, F_SETFL, O_NONBLOCK)
        let signalled = read(reportIn, &byte, 1) == 1
        if let loss = lost.withLock({ $0 }) { throw loss }
        if signalled { throw OwnershipLost(reason: .noContact, sessionID: sessionID) }
        return status
    }

    private static func pipeEnds() throws -> (read: Int32, write: Int32) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            throw ShellError("cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        return (ends[0], ends[1])
    }

    private static func merged(_ environment: [String: String]) -> [String: String] {
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        return merged
    }

    /// The report of a command stopped because `what` (a lock, leadership) was lost.
    static func stopped(_ what: String, _ loss: OwnershipLost) -> ShellError {
        ShellError("\(what) was lost (\(loss)); the command was stopped", status: ExitStatus.ownershipLost)
    }

    private static func start(_ arguments: [String], environment: [String: String]) throws -> ChildProcess {
        try ChildProcess("/usr/bin/env", arguments: ["env"] + arguments, environment: merged(environment))
    }
}

/// `--grace`, shared by the commands that run a command under ownership.
struct GraceOption: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Seconds between SIGTERM and SIGKILL when the session may be lost (default: a fifth of the session timeout, at most 10).",
            valueName: "seconds"))
    var grace: Double?

    func validate() throws {
        if let grace, !(grace >= 0) { throw ValidationError("--grace must be 0 or more seconds") }
    }

    var duration: Duration? { grace.map { .milliseconds(Int64($0 * 1000)) } }
}

struct LockCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Run a command while holding a distributed lock; exit with its status.",
        discussion: """
            Waits for the lock, runs COMMAND with $ZK_LOCK_FENCE set to the lock's fencing token \
            (the zxid that created its node: every later holder's is greater), and releases the \
            lock when the command exits. When the server has not answered for so long that the \
            session could expire (a lost or frozen connection that is not back in time), the \
            command gets SIGTERM, then SIGKILL after --grace seconds, and has ended before the \
            session could expire and another process take the lock; zk then exits with status 8. \
            A guard process does it even while zk is paused (Ctrl-Z, SIGSTOP).
            --list prints the holder and the waiters in order, each with its session.
            Example: zk lock /locks/deploy -- ./deploy.sh
            """)
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .long, help: "Give up after this many seconds (exit 9).") var wait: Double?
    @Flag(name: .long, help: "Print the holder and the waiters in order and exit.") var list = false
    @OptionGroup var grace: GraceOption
    @Argument(help: "The lock's node.", completion: .znode) var path: String
    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.") var command: [String] = []

    func validate() throws {
        if list == !command.isEmpty { throw ValidationError("give either --list or a command after --") }
        if let wait, !(wait > 0) { throw ValidationError("--wait must be positive") }
    }

    func run(in shell: ShellContext) async throws {
        let zk = try await shell.zk()
        if list { return try await printContenders(zk, in: shell) }
        let lock = DistributedLock(client: zk, path: shell.resolve(path))
        do {
            try await lock.acquire(timeout: wait.map { .milliseconds(Int64($0 * 1000)) })
        } catch let error as RecipeTimeout {
            throw ShellError.gaveUp(error)
        }
        let status: Int32
        do {
            status = try await ChildCommand.runOwned(
                command, environment: ["ZK_LOCK_FENCE": "\(lock.fencingToken!)"], zk: zk,
                sessionID: try await zk.session().id, grace: grace.duration)
        } catch let loss as OwnershipLost {
            // Released whenever the connection is back, if the session still lives: no waiting for it.
            Task { try? await lock.release() }
            throw ChildCommand.stopped("the lock \(path)", loss)
        } catch {
            try? await lock.release()
            throw error
        }
        try await lock.release()
        if status != 0 { throw ExitCode(status) }
    }
}

extension LockCommand {
    /// The lock's contenders in order of their sequence numbers, the holder first, each with the
    /// session that queued it.
    private func printContenders(_ zk: ZooKeeperClient, in shell: ShellContext) async throws {
        let root = shell.resolve(path)
        let names: [String]
        do {
            names = try await zk.getChildren(root).sorted { $0.suffix(10) < $1.suffix(10) }
        } catch let error as ZooKeeperError where error.code == .noNode {
            names = []
        }
        var contenders: [(name: String, session: String)] = []
        for name in names {
            // A contender gone meanwhile is left out.
            guard let stat = try await zk.exists(root + "/" + name) else { continue }
            contenders.append((name, Formatting.hex(stat.ephemeralOwner)))
        }
        if shell.json {
            let objects = contenders.map { ["node": $0.name, "session": $0.session] }
            return shell.output.json(["holder": objects.first as Any, "waiters": Array(objects.dropFirst())])
        }
        for (index, contender) in contenders.enumerated() {
            let role = index == 0 ? "holder" : "waiting"
            shell.output.line("\(contender.name) session \(contender.session) (\(role))")
        }
    }
}

struct QueueCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "A distributed queue: put DATA, take (waits for an item), peek, ls, count.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .long, help: "For take: give up after this many seconds (exit 9).") var wait: Double?
    @Argument(help: "put, take, peek, ls or count.", completion: .list(["put", "take", "peek", "ls", "count"]))
    var action: String
    @Argument(help: "The queue's node.", completion: .znode) var path: String
    @Argument(help: "For put: the item; '-' reads stdin, '@file' reads a file.") var data: String?

    func validate() throws {
        guard ["put", "take", "peek", "ls", "count"].contains(action) else {
            throw ValidationError("queue takes put, take, peek, ls or count, not '\(action)'")
        }
        if action == "put" && data == nil { throw ValidationError("queue put needs the item") }
        if let wait {
            guard action == "take" else { throw ValidationError("--wait goes with queue take") }
            guard wait > 0 else { throw ValidationError("--wait must be positive") }
        }
    }

    func run(in shell: ShellContext) async throws {
        let zk = try await shell.zk()
        let queue = DistributedQueue(client: zk, path: shell.resolve(path))
        switch action {
        case "put":
            let node = try await queue.put(try await DataArgument.read(data))
            shell.json ? shell.output.json(["path": node]) : shell.output.line(node)
        case "take":
            printItem(try await take(from: queue, node: shell.resolve(path)), in: shell)
        case "peek":
            guard let item = try await queue.peek() else {
                throw ShellError("the queue is empty", status: ExitStatus.noNode)
            }
            printItem(item, in: shell)
        case "count":
            let count = try await queue.count()
            shell.json
                ? shell.output.json(["path": shell.resolve(path), "count": count]) : shell.output.line("\(count)")
        default:
            let root = shell.resolve(path)
            let names = (try? await zk.getChildren(root))?.sorted() ?? []
            var items: [Any] = []
            for name in names {
                let data: [UInt8]
                do {
                    data = try await zk.getData(root + "/" + name).data
                } catch let error as ZooKeeperError where error.code == .noNode {
                    continue  // taken meanwhile
                }
                if shell.json {
                    var item = Formatting.json(data: data)
                    item["name"] = name
                    items.append(item)
                } else {
                    shell.output.line("\(name)\t\(String(decoding: data, as: UTF8.self))")
                }
            }
            if shell.json { shell.output.json(items) }
        }
    }
}

extension QueueCommand {
    /// Takes an item, waiting at most --wait. When the time is up, the take is cancelled and its
    /// result awaited: a take whose delete was sent returns its item, which is then printed.
    private func take(from queue: DistributedQueue, node: String) async throws -> [UInt8] {
        guard let wait else { return try await queue.take() }
        let taking = Task { try await queue.take() }
        let timeUp = Mutex(false)
        let timer = Task {
            try await Task.sleep(for: .milliseconds(Int64(wait * 1000)))
            timeUp.withLock { $0 = true }
            taking.cancel()
        }
        defer { timer.cancel() }
        do {
            return try await withTaskCancellationHandler {
                try await taking.value
            } onCancel: {
                taking.cancel()
            }
        } catch is CancellationError where timeUp.withLock({ $0 }) {
            throw ShellError(
                "gave up waiting: could not take an item from \(node) within \(Duration.milliseconds(Int64(wait * 1000)))",
                status: ExitStatus.gaveUp)
        }
    }

    /// An item taken or peeked: raw, or as JSON data.
    private func printItem(_ item: [UInt8], in shell: ShellContext) {
        shell.json ? shell.output.json(Formatting.json(data: item)) : shell.output.data(item)
    }
}

struct ElectCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "elect",
        abstract: "Run a command only while this process is the leader; --list shows the candidates.",
        discussion: """
            Joins the election at PATH and waits; once leader, runs COMMAND with $ZK_LEADER_FENCE \
            set to its fencing token (the zxid that created its candidate node: every later \
            leader's is greater), and leaves the election when the command exits (with its \
            status). When the server has not answered for so long that the session could expire, \
            the command gets SIGTERM, then SIGKILL after --grace seconds, and has ended before \
            another candidate could lead; zk then exits with status 8.
            Example: zk elect /election/scheduler --id node-1 -- ./scheduler
            """)
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var grace: GraceOption
    @Option(name: .long, help: "This candidate's name (default: host name and process id).") var id: String?
    @Flag(name: .long, help: "Print the candidates in order (the first leads) and exit.") var list = false
    @Argument(help: "The election's node.", completion: .znode) var path: String
    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.") var command: [String] = []

    func validate() throws {
        if list == !command.isEmpty { throw ValidationError("give either --list or a command after --") }
    }

    func run(in shell: ShellContext) async throws {
        let zk = try await shell.zk()
        let name = id ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        let election = LeaderElection(client: zk, path: shell.resolve(path), id: name)
        if list {
            let candidates = (try? await election.candidates()) ?? []
            if shell.json { return shell.output.json(["leader": candidates.first as Any, "candidates": candidates]) }
            for (index, candidate) in candidates.enumerated() {
                shell.output.line(index == 0 ? "\(candidate) (leader)" : candidate)
            }
            return
        }
        let (command, path, grace) = (self.command, self.path, self.grace.duration)
        let status: Int32
        do {
            status = try await election.lead {
                try await ChildCommand.runOwned(
                    command, environment: ["ZK_LEADER_FENCE": "\(election.fencingToken ?? 0)"], zk: zk,
                    sessionID: try await zk.session().id, grace: grace)
            }
        } catch let loss as OwnershipLost {
            throw ChildCommand.stopped("leadership of \(path)", loss)
        }
        if status != 0 { throw ExitCode(status) }
    }
}
