import ArgumentParser
import ZooKeeper

#if canImport(Glibc)
    import Glibc
#endif

struct FindCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "Print the paths of a subtree that match (all of) the filters.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .long, help: "A glob on the node's name, e.g. 'server-*'.") var name: String?
    @Option(name: .long, help: "A regular expression on the full path.") var regex: String?
    @Flag(name: .long, help: "Only ephemeral nodes.") var ephemeral = false
    @Argument(help: "The root of the search (default: the current node).", completion: .znode) var path: String?

    func run(in shell: ShellContext) async throws {
        let pattern = try regex.map { try Regex($0) }
        let zk = try await shell.zk()
        var walk = try await TreeCommand.walk(zk, shell.resolve(path ?? "."))
        var matches = walk.paths.filter { path in
            let last = path.split(separator: "/").last.map(String.init) ?? "/"
            if let name, fnmatch(name, last, 0) != 0 { return false }
            if let pattern, (try? pattern.firstMatch(in: path)) == nil { return false }
            return true
        }
        if ephemeral {
            let stats = try await TreeCommand.inBatches(matches, { try await zk.exists($0) })
            matches = try walk.readable(matches, stats).filter { $0.value?.isEphemeral == true }.map(\.path)
        }
        shell.json ? shell.output.json(matches) : matches.forEach(shell.output.line)
        try walk.finish(shell.output)
    }
}

struct GrepCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "grep",
        abstract: "Search the data of a subtree: prints path:line for every matching line (UTF-8 data only).")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Flag(name: .short, help: "Print only the paths of matching nodes.") var listOnly = false
    @Flag(name: .short, help: "Ignore case.") var ignoreCase = false
    @Argument(help: "A regular expression.") var pattern: String
    @Argument(help: "The root (default: the current node).", completion: .znode) var path: String?

    func run(in shell: ShellContext) async throws {
        let regex: Regex<AnyRegexOutput>
        do {
            regex = ignoreCase ? try Regex(pattern).ignoresCase() : try Regex(pattern)
        } catch {
            throw ShellError("bad regular expression '\(pattern)': \(error)", status: ExitStatus.usage)
        }
        let zk = try await shell.zk()
        var found = false
        var matches: [Any] = []
        var walk = try await TreeCommand.walk(zk, shell.resolve(path ?? "."))
        let paths = walk.paths
        let nodes = try walk.readable(paths, try await TreeCommand.inBatches(paths, { try await zk.getData($0) }))
        for (path, node) in nodes {
            guard let text = String(validating: node.data, as: UTF8.self) else { continue }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).filter { $0.contains(regex) }
            guard !lines.isEmpty else { continue }
            found = true
            if shell.json {
                matches.append(listOnly ? path : ["path": path, "lines": lines.map(String.init)] as [String: Any])
            } else if listOnly {
                shell.output.line(path)
            } else {
                for line in lines { shell.output.line("\(path):\(line)") }
            }
        }
        if shell.json { shell.output.json(matches) }
        try walk.finish(shell.output)
        if !found { throw ExitCode(ExitStatus.failure) }
    }
}

struct DiskUsageCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "du", abstract: "Print the data bytes and node count of a subtree.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The root (default: the current node).", completion: .znode) var path: String?

    func run(in shell: ShellContext) async throws {
        let zk = try await shell.zk()
        let root = shell.resolve(path ?? ".")
        var bytes = 0
        var nodes = 0
        var walk = try await TreeCommand.walk(zk, root)
        let paths = walk.paths
        let stats = try await TreeCommand.inBatches(paths, { try await zk.exists($0) })
        // A node gone meanwhile is not counted.
        for case let (_, stat?) in try walk.readable(paths, stats) {
            bytes += Int(stat.dataLength)
            nodes += 1
        }
        if shell.json {
            shell.output.json(["path": root, "bytes": bytes, "nodes": nodes])
        } else {
            shell.output.line("\(bytes)\t\(nodes)\t\(root)")
        }
        try walk.finish(shell.output)
    }
}

struct TransactionCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "txn",
        abstract: "Apply several writes atomically (one multi): all or none.",
        discussion: """
            Each operation is one argument: 'create [-e] [-s] [-c] [-t TTL] PATH [DATA] [ACL]' (the \
            flags of create), 'set PATH DATA [VERSION]', 'delete PATH [VERSION]' or 'check PATH VERSION'. \
            Prints each operation's result, in order (the created path with its sequence number). For example:
              zk txn 'check /stock 3' 'set /stock 41 3' 'create -s /orders/o- x'
            """)
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The operations.") var operations: [String]

    func validate() throws {
        guard !operations.isEmpty else { throw ValidationError("txn needs at least one operation") }
    }

    func run(in shell: ShellContext) async throws {
        var parsed: [ZooKeeperClient.Operation] = []
        for operation in operations { parsed.append(try await parse(operation, shell)) }
        do {
            let results = try await shell.zk().multi(parsed)
            if shell.json { return shell.output.json(zip(operations, results).map(Self.json)) }
            results.map(describe).forEach(shell.output.line)
        } catch let error as ZooKeeperError where error.multiResults != nil {
            for (operation, result) in zip(operations, error.multiResults ?? []) {
                shell.output.error("\(operation): \(describe(result))")
            }
            throw error
        }
    }

    private func parse(_ text: String, _ shell: ShellContext) async throws -> ZooKeeperClient.Operation {
        let words = try CommandLineWords.split(text)
        func version(_ index: Int) throws -> Int32 {
            guard index < words.count else { return -1 }
            guard let value = Int32(words[index]) else {
                throw ShellError("bad version in '\(text)'", status: ExitStatus.usage)
            }
            return value
        }
        switch (words.first, words.count) {
        case ("create", 2...):
            // create's own flags and arguments, as the create command reads them.
            let create: CreateCommand
            do {
                create = try CreateCommand.parse(Array(words.dropFirst()))
            } catch {
                throw ShellError(
                    "cannot read operation '\(text)': \(CreateCommand.message(for: error))", status: ExitStatus.usage)
            }
            if create.parents {
                throw ShellError(
                    "cannot read operation '\(text)': --parents does not go in a txn", status: ExitStatus.usage)
            }
            return .create(
                create.node(in: shell), data: try await DataArgument.read(create.data),
                acl: try create.acl.map(ACLArgument.parse) ?? ACL.openUnsafe, mode: create.mode,
                ttl: create.ttl.map { .milliseconds($0) })
        case ("set", 3...4):
            return .setData(shell.resolve(words[1]), data: words[2], version: try version(3))
        case ("delete", 2...3): return .delete(shell.resolve(words[1]), version: try version(2))
        case ("check", 3): return .check(shell.resolve(words[1]), version: try version(2))
        default: throw ShellError("cannot read operation '\(text)'", status: ExitStatus.usage)
        }
    }

    /// An operation's result as JSON: `{"operation": ..., "path": ..., "stat": ...}`, or with
    /// `"error"` the server's code name.
    private static func json(_ operation: String, _ result: MultiResult) -> [String: Any] {
        var object: [String: Any] = ["operation": operation]
        switch result {
        case .create(let path): object["path"] = path
        case .create2(let path, let stat): (object["path"], object["stat"]) = (path, Formatting.json(stat))
        case .setData(let stat): object["stat"] = Formatting.json(stat)
        case .error(let code): object["error"] = code.name
        default: break
        }
        return object
    }

    private func describe(_ result: MultiResult) -> String {
        switch result {
        case .create(let path), .create2(let path, _): "created \(path)"
        case .delete: "deleted"
        case .setData(let stat): "set, version \(stat.version)"
        case .check: "checked"
        case .error(let code):
            code == .ok ? "ok (rolled back)" : code == .runtimeInconsistency ? "not applied" : "failed: \(code)"
        default: "\(result)"
        }
    }
}
