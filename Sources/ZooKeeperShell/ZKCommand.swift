import ArgumentParser
import Dispatch
import ProcessSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `zk`: the ZooKeeper command-line client (one-shot, scripts and an interactive shell) and server.
public struct ZKCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "zk",
        abstract: "A ZooKeeper client and shell, and an embedded ZooKeeper-compatible server.",
        discussion: """
            With a command, runs it once and exits. Without one, starts the interactive shell (or, when \
            stdin is not a terminal, runs the commands read from it, one per line).

            Exit status: 0 success, 1 failure, 2 no node, 3 node exists, 4 bad version, 5 not empty, \
            6 not authorized, 7 connection failure, timeout or session expired, 8 a command under a lock \
            or leadership stopped (the session could have expired), 9 gave up waiting (--wait), 64 usage \
            error, 130 interrupted (Ctrl-C), 141 the reader of the output went away.

            The connection options below go before or after the command name; each command's help \
            shows only its own options.
            """,
        subcommands: [
            ListCommand.self, GetCommand.self, SetDataCommand.self, CreateCommand.self, DeleteCommand.self,
            DeleteAllCommand.self, StatCommand.self,
            ExistsCommand.self, TreeCommand.self, FindCommand.self, GrepCommand.self, DiskUsageCommand.self,
            CopyCommand.self, TransactionCommand.self, GetACLCommand.self,
            SetACLCommand.self, AddAuthCommand.self, WhoAmICommand.self, DigestCommand.self, SyncCommand.self,
            AllChildrenNumberCommand.self, EphemeralsCommand.self, SessionInfoCommand.self, ConfigCommand.self,
            WatchCommand.self, AddWatchCommand.self,
            RemoveWatchesCommand.self, SetQuotaCommand.self, ListQuotaCommand.self, DeleteQuotaCommand.self,
            ReconfigCommand.self, FourLetterWordCommand.self,
            LockCommand.self, ElectCommand.self, QueueCommand.self, EditCommand.self, DiffCommand.self,
            ConnectCommand.self, CloseCommand.self, PrintWatchesCommand.self,
            ChangeDirectoryCommand.self,
            PrintDirectoryCommand.self,
            QuitCommand.self, VersionCommand.self, ServeCommand.self,
            RegisterCommand.self, ServicesCommand.self, BarrierCommand.self, BenchCommand.self,
            SnapshotCommand.self, TxnLogCommand.self,
        ]
    )

    @OptionGroup(title: "Connection options") var global: GlobalOptions

    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: "Run these commands (separated by ';' or newlines), then exit. -c is short for it.")
    var command: String?

    @Option(name: .long, help: "Run the commands in this file, then exit. -f is short for it.")
    var file: String?

    @Flag(name: .long, help: "In scripts, stop at the first failing command (and exit with its status).")
    var stopOnError = false

    @Flag(name: .long, help: "Print zk's version and exit.")
    var version = false

    public init() {}

    public func validate() throws {
        if command != nil && file != nil { throw ValidationError("give --command (-c) or --file (-f), not both") }
    }

    public func run() async throws {
        if version {
            FileDescriptorIO.writeAll(Array(VersionCommand.line.utf8) + [10], to: FileDescriptorIO.standardOutput)
            return
        }
        let status = try await ShellLoop(options: global, json: output.json, stopOnError: stopOnError).run(
            command: command, file: file)
        if status != 0 { throw ExitCode(status) }
    }

    /// zk's entry point, called on the main thread: runs the process arguments and exits with
    /// their status.
    ///
    /// - A plain one-shot read (`get`, `ls`, `stat`, `exists`) runs first, on this thread, when a
    ///   server answers at once: no argument parser, no event loops, no other thread.
    /// - Anything else runs as ``runMain(_:)`` on Swift concurrency's threads, while this thread
    ///   only waits. It does not give itself to the main queue (`dispatchMain()` ends it with
    ///   `pthread_exit`, whose unwinding first sorts the unwind tables of the whole static
    ///   binary, some 20 ms), so nothing in zk may use the main actor.
    ///
    /// This thread accepts every signal: a mask inherited from the parent (some block them all
    /// in the threads that start processes) must not keep SIGTERM or SIGINT from ending zk.
    public static func start() -> Never {
        var signals = sigset_t()
        sigemptyset(&signals)
        pthread_sigmask(SIG_SETMASK, &signals, nil)
        if CommandLine.arguments.dropFirst().first == OwnershipGuard.flag {
            OwnershipGuard.runAndExit(Array(CommandLine.arguments.dropFirst(2)))
        }
        executable = readExecutablePath()
        let arguments = GlobalOptions.expandingShorthands(Array(CommandLine.arguments.dropFirst()))
        DirectCommand.runAndExit(arguments)
        runMainAndWait(arguments)
        Self.exit()
    }

    /// This executable's path, once ``start()`` runs (nil when the shell's commands run in
    /// another program): `lock` and `elect` start their ownership guard from it. Set on the main
    /// thread before anything else runs, and only read afterwards.
    nonisolated(unsafe) static var executable: String?

    private static func readExecutablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Runs ``runMain(_:)`` in a task and blocks until it returns. (A function of its own: the
    /// metadata a task needs is then looked up only when the direct path did not exit.)
    @inline(never)
    private static func runMainAndWait(_ arguments: [String]) {
        let finished = DispatchSemaphore(value: 0)
        Task.detached {
            await runMain(arguments)
            finished.signal()
        }
        finished.wait()
    }

    /// Parses the arguments (after ``GlobalOptions/expandingShorthands(_:)``) and runs the
    /// command; exits with its status.
    private static func runMain(_ arguments: [String]) async {
        if let unknown = unknownCommand(in: arguments) {
            FileDescriptorIO.writeAll(Array("zk: \(unknown.message)\n".utf8), to: FileDescriptorIO.standardError)
            exit(withError: ExitCode(unknown.status))
        }
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ShellError {
            // A command's own failure at run time (`zk serve`'s, an unreadable -f file): one line
            // and its status, with no pointer to the help.
            FileDescriptorIO.writeAll(Array("zk: \(error.message)\n".utf8), to: FileDescriptorIO.standardError)
            exit(withError: ExitCode(error.status))
        } catch {
            if let line = usageLine(for: error, arguments: arguments) {
                FileDescriptorIO.writeAll(Array((line + "\n").utf8), to: FileDescriptorIO.standardError)
                exit(withError: exitCode(for: error))
            }
            if exitCode(for: error) == .success, let type = helpedCommand(in: arguments) {
                // A command's help: its own options, then where the connection options are.
                let text = withConnectionOptionsHint(fullMessage(for: error), for: type) + "\n"
                FileDescriptorIO.writeAll(Array(text.utf8), to: FileDescriptorIO.standardOutput)
                Self.exit()
            }
            exit(withError: error)
        }
    }

    /// The error for a command name zk does not know (with "did you mean"), also after `help`;
    /// the shell's own `history` and `redo` are refused outside it.
    static func unknownCommand(in arguments: [String]) -> ShellError? {
        // argument-parser's own calls: completion scripts, their callbacks, the help dump.
        guard
            !arguments.contains(where: {
                $0.hasPrefix("---") || $0.hasPrefix("--generate-completion-script") || $0.hasPrefix("--experimental-")
            })
        else { return nil }
        guard let index = GlobalOptions.commandIndex(in: arguments) else { return nil }
        var name = arguments[index]
        if name == "help" {
            guard index + 1 < arguments.count, !arguments[index + 1].hasPrefix("-") else { return nil }
            name = arguments[index + 1]
        }
        if name == "history" || name == "redo" {
            return ShellError("\(name) works in the interactive shell only", status: ExitStatus.usage)
        }
        return CommandTable.command(named: name) == nil ? CommandTable.unknownCommand(name) : nil
    }

    /// The command whose help the arguments ask for (`zk get --help`, `zk help get`).
    private static func helpedCommand(in arguments: [String]) -> (any ParsableCommand.Type)? {
        guard let index = GlobalOptions.commandIndex(in: arguments) else { return nil }
        let name = arguments[index] == "help" && index + 1 < arguments.count ? arguments[index + 1] : arguments[index]
        return CommandTable.command(named: name)
    }

    /// A command's help, ending with where the connection options it takes but does not list are.
    static func withConnectionOptionsHint(_ help: String, for type: any ParsableCommand.Type) -> String {
        let help = help.trimming(while: \.isNewline)
        guard type is any ShellCommand.Type else { return help }
        return help + """


            CONNECTION OPTIONS:
              --server (-s before the command name), --timeout, --connect-timeout, --auth,
              --embedded, --read-only and the TLS options: see 'zk --help'.
            """
    }

    /// A parse or validation error as one line, `zk: MESSAGE (see 'zk COMMAND --help')`; nil for
    /// help requests and for statuses a command chose.
    static func usageLine(for error: any Error, arguments: [String]) -> String? {
        guard !(error is ExitCode), exitCode(for: error) != .success,
            let first = fullMessage(for: error).split(separator: "\n").first, first.hasPrefix("Error: ")
        else { return nil }
        let command = arguments.first { !$0.hasPrefix("-") && CommandTable.command(named: $0) != nil }
        return "zk: \(first.dropFirst("Error: ".count)) (see 'zk \(command.map { "\($0) " } ?? "")--help')"
    }
}
