import ArgumentParser
import ZooKeeper
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
/// exit status. `stop` ends it early (SIGTERM), e.g. when the lock it runs under is lost.
enum ChildCommand {
    static func run(
        _ arguments: [String], environment: [String: String] = [:], stop: AsyncStream<Void>? = nil
    ) async throws -> Int32 {
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let process = try ChildProcess("/usr/bin/env", arguments: ["env"] + arguments, environment: merged)
        let stopper = Task {
            guard let stop else { return }
            for await _ in stop {
                process.terminate()
                return
            }
        }
        // Cancelling the caller (leadership lost) stops the command too.
        let status = await withTaskCancellationHandler {
            await process.status()
        } onCancel: {
            process.terminate()
        }
        stopper.cancel()
        return status
    }

    /// A stream that fires once the session is expired or closed.
    static func sessionLost(_ zk: ZooKeeperClient) -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        Task {
            for await state in zk.states() where state == .expired || state == .closed {
                continuation.yield()
                break
            }
            continuation.finish()
        }
        return stream
    }
}

struct Lock: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Run a command while holding a distributed lock; exit with its status.",
        discussion: """
            Waits for the lock, runs COMMAND, releases the lock when it exits. If the session is
            lost meanwhile, the command is stopped (SIGTERM), since another process may hold the lock.
            Example: zk lock /locks/deploy -- ./deploy.sh
            """)
    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Give up after this many seconds (exit 7).") var wait: Double?
    @Argument(help: "The lock's node.", completion: .znode) var path: String
    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.") var command: [String]

    func validate() throws {
        guard !command.isEmpty else { throw ValidationError("give the command after --") }
    }

    func run(in shell: ShellContext) async throws {
        let zk = try await shell.zk()
        let lock = DistributedLock(client: zk, path: shell.resolve(path))
        do {
            try await lock.acquire(timeout: wait.map { .milliseconds(Int64($0 * 1000)) })
        } catch let error as LockTimeout {
            throw ShellError("\(error)", status: ExitStatus.connection)
        }
        let status: Int32
        do {
            status = try await ChildCommand.run(command, stop: ChildCommand.sessionLost(zk))
        } catch {
            try? await lock.release()
            throw error
        }
        try await lock.release()
        if status != 0 { throw ExitCode(status) }
    }
}

struct Queue: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "A distributed queue: put DATA, take (waits for an item), peek, ls, count.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "put, take, peek, ls or count.", completion: .list(["put", "take", "peek", "ls", "count"]))
    var action: String
    @Argument(help: "The queue's node.", completion: .znode) var path: String
    @Argument(help: "For put: the item; '-' reads stdin, '@file' reads a file.") var data: String?

    func validate() throws {
        guard ["put", "take", "peek", "ls", "count"].contains(action) else {
            throw ValidationError("queue takes put, take, peek, ls or count, not '\(action)'")
        }
        if action == "put" && data == nil { throw ValidationError("queue put needs the item") }
    }

    func run(in shell: ShellContext) async throws {
        let zk = try await shell.zk()
        let queue = DistributedQueue(client: zk, path: shell.resolve(path))
        switch action {
        case "put":
            let node = try await queue.put(try await DataArgument.read(data))
            shell.output.line(node)
        case "take":
            shell.output.data(try await queue.take())
        case "peek":
            guard let item = try await queue.peek() else {
                throw ShellError("the queue is empty", status: ExitStatus.noNode)
            }
            shell.output.data(item)
        case "count":
            shell.output.line("\(try await queue.count())")
        default:
            let root = shell.resolve(path)
            let names = (try? await zk.getChildren(root))?.sorted() ?? []
            for name in names {
                let data = try await zk.getData(root + "/" + name).data
                shell.output.line("\(name)\t\(String(decoding: data, as: UTF8.self))")
            }
        }
    }
}

struct Elect: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "elect",
        abstract: "Run a command only while this process is the leader; --list shows the candidates.",
        discussion: """
            Joins the election at PATH and waits; once leader, runs COMMAND and leaves the election
            when it exits (with its status). If the session is lost, the command is stopped
            (SIGTERM): another candidate may lead by then.
            Example: zk elect /election/scheduler --id node-1 -- ./scheduler
            """)
    @OptionGroup var global: GlobalOptions
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
        let command = self.command
        let status = try await election.lead { try await ChildCommand.run(command) }
        if status != 0 { throw ExitCode(status) }
    }
}
