import ArgumentParser
import ZooKeeper
import ZooKeeperProtocol
import ZooKeeperServer

#if canImport(Glibc)
    import Glibc
#endif

/// `zk snapshot`: reads an Apache ZooKeeper snapshot offline, with the output of the live commands.
struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract:
            "Read an Apache ZooKeeper snapshot offline: info, ls, get, stat, getAcl, tree, find, sessions, diff, restore.",
        discussion: """
            SNAPSHOT is a snapshot file (snapshot.<zxid>, also .gz and .snappy) or a data directory \
            (its dataDir or version-2), whose newest good snapshot is read. The reading commands print \
            what the live ones print. No server is needed, except for diff against a live server and \
            restore. Bad input (a truncated or corrupt file, a newer format, a directory that is not \
            a data directory) is one line on stderr and exit status 1.
            """,
        subcommands: [
            SnapshotInfoCommand.self, SnapshotListCommand.self, SnapshotGetCommand.self, SnapshotStatCommand.self,
            SnapshotGetACLCommand.self,
            SnapshotTreeCommand.self, SnapshotFindCommand.self, SnapshotSessionsCommand.self, SnapshotDiffCommand.self,
            SnapshotRestoreCommand.self,
        ],
        defaultSubcommand: SnapshotInfoCommand.self
    )
}

/// The snapshot argument of every `zk snapshot` command.
struct SnapshotSource: ParsableArguments {
    @Argument(help: "A snapshot file or a data directory.", completion: .file())
    var snapshot: String

    func load(_ shell: ShellContext) throws -> OfflineTree {
        try OfflineTree(snapshot, warn: shell.output.error)
    }
}

struct SnapshotInfoCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Summarize a snapshot: file, zxid, nodes, sessions, ACLs, digest.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var source: SnapshotSource

    func run(in shell: ShellContext) async throws {
        let tree = try source.load(shell)
        let snapshot = tree.snapshot
        let ephemerals = snapshot.nodes.filter { $0.stat.ephemeralSession != nil }.count
        let bytes = snapshot.nodes.reduce(0) { $0 + ($1.data?.count ?? 0) }
        if shell.json {
            var object: [String: Any] = [
                "file": tree.file, "nodes": snapshot.nodes.count, "sessions": snapshot.sessions.count,
                "acls": snapshot.aclCache.count, "ephemerals": ephemerals, "dataBytes": bytes,
            ]
            if let zxid = tree.zxid { object["zxid"] = zxid }
            if let digest = snapshot.digest {
                object["digest"] = ["zxid": digest.zxid, "version": digest.version, "value": digest.value]
            }
            return shell.output.json(object)
        }
        shell.output.line("file = \(tree.file)")
        if let zxid = tree.zxid { shell.output.line("zxid = \(Formatting.hex(zxid))") }
        shell.output.line("nodes = \(snapshot.nodes.count)")
        shell.output.line("dataBytes = \(bytes)")
        shell.output.line("ephemerals = \(ephemerals)")
        shell.output.line("sessions = \(snapshot.sessions.count)")
        shell.output.line("acls = \(snapshot.aclCache.count)")
        if let digest = snapshot.digest {
            shell.output.line("digest = \(digest.value) at \(Formatting.hex(digest.zxid)) (version \(digest.version))")
        }
    }
}

struct SnapshotListCommand: ShellCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List a node's children (sorted).")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Flag(name: .short, help: "Also print the node's stat.") var stat = false
    @Flag(name: .customShort("R"), help: "List the whole subtree, one path per line.") var recursive = false
    @OptionGroup var source: SnapshotSource
    @Argument(help: "The node (default: /).") var path = "/"

    func run(in shell: ShellContext) async throws {
        let tree = try source.load(shell)
        if recursive {
            let paths = try tree.walk(path).map(\.path)
            return shell.json ? shell.output.json(paths) : paths.forEach(shell.output.line)
        }
        let node = try tree.node(path)
        let names = node.children.map { String($0.split(separator: "/").last ?? "") }
        ListCommand.print(names, node.stat, node: path, withStat: stat, json: shell.json, to: shell.output)
    }
}

struct SnapshotGetCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Print a node's data (raw bytes on stdout, as zk get).")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Flag(name: .short, help: "Also print the stat.") var stat = false
    @Flag(name: [.short, .long], help: "Print the data in base64.") var base64 = false
    @Flag(name: [.customShort("x"), .long], help: "Print the data as a hex dump.") var hex = false
    @OptionGroup var source: SnapshotSource
    @Argument(help: "The node.") var path: String

    func run(in shell: ShellContext) async throws {
        let node = try source.load(shell).node(path)
        GetCommand.print(
            node.data, node.stat, node: path, withStat: stat, base64: base64, hex: hex, json: shell.json,
            to: shell.output)
    }
}

struct SnapshotStatCommand: ShellCommand {
    static let configuration = CommandConfiguration(commandName: "stat", abstract: "Print a node's stat.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var source: SnapshotSource
    @Argument(help: "The node.") var path: String

    func run(in shell: ShellContext) async throws {
        StatCommand.print(try source.load(shell).node(path).stat, json: shell.json, to: shell.output)
    }
}

struct SnapshotGetACLCommand: ShellCommand {
    static let configuration = CommandConfiguration(commandName: "getAcl", abstract: "Print a node's ACL.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var source: SnapshotSource
    @Argument(help: "The node.") var path: String

    func run(in shell: ShellContext) async throws {
        let node = try source.load(shell).node(path)
        if shell.json { return shell.output.json(node.acl.map(Formatting.json)) }
        for entry in node.acl {
            shell.output.line("'\(entry.id.scheme),'\(entry.id.id)")
            shell.output.line(": \(entry.permissions)")
        }
    }
}

struct SnapshotTreeCommand: ShellCommand {
    static let configuration = CommandConfiguration(commandName: "tree", abstract: "Draw a subtree.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .shortAndLong, help: "Descend at most this many levels.") var depth: Int?
    @OptionGroup var source: SnapshotSource
    @Argument(help: "The root of the subtree (default: /).") var path = "/"

    func run(in shell: ShellContext) async throws {
        let entries = try source.load(shell).walk(path, maxDepth: depth)
        shell.json ? shell.output.json(TreeCommand.nest(entries, path)) : TreeCommand.draw(entries, to: shell.output)
    }
}

struct SnapshotFindCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "find", abstract: "Print the paths of a subtree that match (all of) the filters.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .long, help: "A glob on the node's name, e.g. 'server-*'.") var name: String?
    @Option(name: .long, help: "A regular expression on the full path.") var regex: String?
    @Flag(name: .long, help: "Only ephemeral nodes.") var ephemeral = false
    @Option(name: .long, help: "Only the ephemeral nodes of this session (0x... or decimal).") var session: String?
    @OptionGroup var source: SnapshotSource
    @Argument(help: "The root of the search (default: /).") var path = "/"

    func run(in shell: ShellContext) async throws {
        let pattern: Regex<AnyRegexOutput>?
        do {
            pattern = try regex.map { try Regex($0) }
        } catch {
            throw ShellError("bad regular expression '\(regex ?? "")': \(error)", status: ExitStatus.usage)
        }
        let owner = try session.map(SessionID.parse)
        let tree = try source.load(shell)
        let matches = try tree.walk(path).map(\.path).filter { path in
            let last = path.split(separator: "/").last.map(String.init) ?? "/"
            if let name, fnmatch(name, last, 0) != 0 { return false }
            if let pattern, (try? pattern.firstMatch(in: path)) == nil { return false }
            let stat = tree.nodes[path]!.stat
            if ephemeral && stat.ephemeralOwner == 0 { return false }
            if let owner, stat.ephemeralOwner != owner { return false }
            return true
        }
        shell.json ? shell.output.json(matches) : matches.forEach(shell.output.line)
    }
}

struct SnapshotSessionsCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions", abstract: "List the sessions a snapshot holds: id, timeout, ephemeral nodes.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var source: SnapshotSource

    func run(in shell: ShellContext) async throws {
        let snapshot = try source.load(shell).snapshot
        var owned: [Int64: [String]] = [:]
        for node in snapshot.nodes {
            if let session = node.stat.ephemeralSession { owned[session, default: []].append(node.path) }
        }
        for session in snapshot.sessions.sorted(by: { $0.id < $1.id }) {
            let paths = (owned[session.id] ?? []).sorted()
            if shell.json {
                shell.output.json([
                    "session": Formatting.hex(session.id), "timeout": session.timeout, "ephemerals": paths,
                ])
            } else {
                shell.output.line(
                    "\(Formatting.hex(session.id)) timeout=\(session.timeout)ms ephemerals=\(paths.count)")
                paths.forEach { shell.output.line("  " + $0) }
            }
        }
    }
}

/// Session ids on the command line: `0x` and hexadecimal, as the server prints them, or decimal.
enum SessionID {
    static func parse(_ text: String) throws -> Int64 {
        let value =
            text.lowercased().hasPrefix("0x")
            ? UInt64(text.dropFirst(2), radix: 16).map { Int64(bitPattern: $0) } : Int64(text)
        guard let value else {
            throw ShellError("bad session id '\(text)' (0x... or decimal)", status: ExitStatus.usage)
        }
        return value
    }
}
