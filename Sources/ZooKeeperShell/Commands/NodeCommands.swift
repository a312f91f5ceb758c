import ArgumentParser
import ZooKeeper
import ZooKeeperProtocol

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

struct ListCommand: ShellCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List a node's children (sorted).")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Flag(name: .short, help: "Also print the node's stat.") var stat = false
    @Flag(name: .customShort("R"), help: "List the whole subtree, one path per line.") var recursive = false
    @Flag(name: .short, help: "Set a watch on the children.") var watch = false
    @Argument(help: "The node (default: the current one).", completion: .znode) var path: String?

    func run(in shell: ShellContext) async throws {
        let zk = try await shell.zk()
        let node = shell.resolve(path ?? ".")
        if recursive {
            let walk = try await TreeCommand.walk(zk, node)
            shell.json ? shell.output.json(walk.paths) : walk.paths.forEach(shell.output.line)
            return try walk.finish(shell.output)
        }
        let children: [String]
        let stat: Stat
        if watch {
            let result = try await zk.watchChildren(node)
            (children, stat) = (result.children, result.stat)
            shell.watching(node, result.watch)
        } else {
            let listing = try await zk.getChildrenAndStat(node)
            (children, stat) = (listing.children, listing.stat)
        }
        Self.print(children, stat, node: node, withStat: self.stat, json: shell.json, to: shell.output)
    }

    /// Prints what `ls` read: the children sorted, then the stat when asked.
    static func print(_ children: [String], _ stat: Stat, node: String, withStat: Bool, json: Bool, to output: Output) {
        let sorted = children.sorted()
        if json {
            var object: [String: Any] = ["path": node, "children": sorted]
            if withStat { object["stat"] = Formatting.json(stat) }
            return output.json(object)
        }
        output.line("[" + sorted.joined(separator: ", ") + "]")
        if withStat { output.line(Formatting.text(stat)) }
    }
}

struct GetCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Print a node's data: raw bytes on stdout (a newline is added on a terminal only).")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Flag(name: .short, help: "Also print the stat.") var stat = false
    @Flag(name: .short, help: "Set a watch on the data.") var watch = false
    @Flag(name: [.short, .long], help: "Print the data in base64.") var base64 = false
    @Flag(name: [.customShort("x"), .long], help: "Print the data as a hex dump.") var hex = false
    @Argument(help: "The node.", completion: .znode) var path: String

    func run(in shell: ShellContext) async throws {
        let zk = try await shell.zk()
        let node = shell.resolve(path)
        let data: [UInt8]
        let stat: Stat
        if watch {
            let result = try await zk.watchData(node)
            (data, stat) = (result.data, result.stat)
            shell.watching(node, result.watch)
        } else {
            let read = try await zk.getData(node)
            (data, stat) = (read.data, read.stat)
        }
        Self.print(
            data, stat, node: node, withStat: self.stat, base64: base64, hex: hex, json: shell.json, to: shell.output)
    }

    /// Prints what `get` read: the data raw, in base64 or as a hex dump, then the stat when asked.
    static func print(
        _ data: [UInt8], _ stat: Stat, node: String, withStat: Bool, base64: Bool, hex: Bool, json: Bool,
        to output: Output
    ) {
        if json {
            var object = Formatting.json(data: data)
            object["path"] = node
            object["stat"] = Formatting.json(stat)
            return output.json(object)
        }
        if base64 {
            output.line(Data(data).base64EncodedString())
        } else if hex {
            for offset in stride(from: 0, to: data.count, by: 16) {
                let row = data[offset..<min(offset + 16, data.count)]
                let hexes = row.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
                let text = String(row.map { (0x20..<0x7F).contains($0) ? Character(UnicodeScalar($0)) : "." })
                let address = String(offset, radix: 16)
                output.line(
                    String(repeating: "0", count: max(0, 8 - address.count)) + address + "  " + hexes.padding(47) + "  "
                        + text)
            }
        } else {
            output.data(data, endingLine: withStat)
        }
        if withStat { output.line(Formatting.text(stat)) }
    }
}

struct SetDataCommand: ShellCommand {
    static let configuration = CommandConfiguration(commandName: "set", abstract: "Replace a node's data.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Flag(name: .short, help: "Print the new stat.") var stat = false
    @OptionGroup var expected: ExpectedVersion
    @Flag(name: [.short, .long], help: "The data is base64.") var base64 = false
    @Argument(help: "The node.", completion: .znode) var path: String
    @Argument(help: "The data; '-' reads stdin, '@file' reads a file, '@@text' is '@text'.") var data: String

    func run(in shell: ShellContext) async throws {
        var bytes = try await DataArgument.read(data)
        if base64 {
            let text = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
            guard let decoded = Data(base64Encoded: text) else {
                throw ShellError("the data is not valid base64", status: ExitStatus.usage)
            }
            bytes = Array(decoded)
        }
        let result = try await shell.zk().setData(shell.resolve(path), data: bytes, version: expected.version)
        if shell.json { return shell.output.json(Formatting.json(result)) }
        if stat { shell.output.line(Formatting.text(result)) }
    }
}

struct CreateCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a node; prints the created path (with its sequence number).")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Flag(name: .short, help: "Ephemeral: gone with the session.") var ephemeral = false
    @Flag(name: .short, help: "Sequential: a 10-digit suffix is appended.") var sequential = false
    @Flag(name: .short, help: "Container: removed once its last child goes.") var container = false
    @Option(
        name: .short, parsing: .unconditional,
        help: ArgumentHelp("Time-to-live in milliseconds (the server must allow TTL nodes).", valueName: "ms")) var ttl:
        Int64?
    @Flag(name: .long, help: "Create missing parents too.") var parents = false
    @Argument(help: "The node.", completion: .znode) var path: String
    @Argument(help: "The data; '-' reads stdin, '@file' reads a file, '@@text' is '@text'.") var data: String?
    @Argument(help: "ACL entries, scheme:id:perms, comma-separated (default world:anyone:cdrwa).") var acl: String?

    func validate() throws {
        if container && (ephemeral || sequential || ttl != nil) {
            throw ValidationError("-c cannot be combined with -e, -s or -t")
        }
        if ttl != nil && ephemeral { throw ValidationError("-t cannot be combined with -e") }
        if let ttl, ttl <= 0 { throw ValidationError("-t must be positive") }
    }

    var mode: CreateMode {
        if container { return .container }
        if ttl != nil { return sequential ? .persistentSequentialWithTTL : .persistentWithTTL }
        switch (ephemeral, sequential) {
        case (true, true): return .ephemeralSequential
        case (true, false): return .ephemeral
        case (false, true): return .persistentSequential
        case (false, false): return .persistent
        }
    }

    /// The node to create, absolute; `create -s /queue/` keeps its trailing slash (children
    /// named by their sequence number alone).
    func node(in shell: ShellContext) -> String {
        shell.resolve(path) + (path.hasSuffix("/") && sequential ? "/" : "")
    }

    func run(in shell: ShellContext) async throws {
        let zk = try await shell.zk()
        let node = node(in: shell)
        let bytes = try await DataArgument.read(data)
        let entries = try acl.map(ACLArgument.parse) ?? ACL.openUnsafe
        if parents {
            try await zk.ensurePath(NodePath.split(node).parent)
        }
        let created = try await zk.create(
            node, data: bytes, acl: entries, mode: mode, ttl: ttl.map { .milliseconds($0) })
        if shell.json { return shell.output.json(["path": created.path, "stat": Formatting.json(created.stat)]) }
        shell.output.line(created.path)
    }
}

struct DeleteCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a node (it must have no children).")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var expected: ExpectedVersion
    @Argument(help: "The node.", completion: .znode) var path: String

    func run(in shell: ShellContext) async throws {
        try await shell.zk().delete(shell.resolve(path), version: expected.version)
    }
}

struct DeleteAllCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "deleteall", abstract: "Delete a node and its whole subtree.", aliases: ["rmr"])
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Flag(name: .long, help: "Required outside the interactive shell.") var force = false
    @Option(
        name: .short, parsing: .unconditional,
        help: ArgumentHelp("Delete this many nodes per batch of requests (as zkCli's -b).", valueName: "batch size"))
    var batch: Int = 1000
    @Argument(help: "The node.", completion: .znode) var path: String

    func validate() throws {
        guard batch > 0 else { throw ValidationError("-b takes a positive batch size, got \(batch)") }
    }

    func run(in shell: ShellContext) async throws {
        let node = shell.resolve(path)
        guard node != "/", node != "/zookeeper", !node.hasPrefix("/zookeeper/") else {
            throw ShellError("refusing to delete \(node)", status: ExitStatus.usage)
        }
        guard force || shell.interactive else {
            throw ShellError("deleteall deletes a whole subtree; add --force to confirm", status: ExitStatus.usage)
        }
        let zk = try await shell.zk()
        let walk = try await TreeCommand.walk(zk, node)
        // Deepest first, so each delete finds its node childless: the server applies a session's
        // requests in order, batch calls included.
        var failures = try await TreeCommand.deleteEach(walk.paths.reversed(), batch: batch, with: zk)
        // A node that may not be read keeps the children the walk could not list, and so do the
        // nodes above it: that is said once, for the unreadable node. Any other failure is thrown.
        let kept = failures.filter { $0.error.code == .notEmpty && walk.unreadable.contains($0.path) }.map(\.path)
        failures.removeAll { failure in
            failure.error.code == .notEmpty && kept.contains { $0 == failure.path || $0.hasPrefix(failure.path + "/") }
        }
        if let failure = failures.first { throw failure.error }
        guard !kept.isEmpty else { return }
        for path in kept {
            shell.output.error("zk: \(path): not allowed to read (NoAuth); not deleted, nor the nodes above it")
        }
        throw ExitCode(ExitStatus.notAuthorized)
    }
}

struct StatCommand: ShellCommand {
    static let configuration = CommandConfiguration(commandName: "stat", abstract: "Print a node's stat.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Flag(name: .short, help: "Set a watch on the node.") var watch = false
    @Argument(help: "The node.", completion: .znode) var path: String

    func run(in shell: ShellContext) async throws {
        let zk = try await shell.zk()
        let node = shell.resolve(path)
        var stat: Stat?
        if watch {
            let result = try await zk.watchExists(node)
            stat = result.stat
            shell.watching(node, result.watch)
        } else {
            stat = try await zk.exists(node)
        }
        guard let stat else { throw ZooKeeperError(.noNode, path: node) }
        Self.print(stat, json: shell.json, to: shell.output)
    }

    static func print(_ stat: Stat, json: Bool, to output: Output) {
        json ? output.json(Formatting.json(stat)) : output.line(Formatting.text(stat))
    }
}

struct ExistsCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "exists",
        abstract: "Exit 0 when the node exists, 2 when it does not (prints nothing; for `if`).")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The node.", completion: .znode) var path: String

    func run(in shell: ShellContext) async throws {
        let node = shell.resolve(path)
        let status = Self.report(
            try await shell.zk().exists(node) != nil, node: node, json: shell.json, to: shell.output)
        if status != ExitStatus.success { throw ExitCode(status) }
    }

    /// Prints the answer with --json (and then succeeds); without, only the status tells.
    static func report(_ exists: Bool, node: String, json: Bool, to output: Output) -> Int32 {
        if json {
            output.json(["path": node, "exists": exists])
            return ExitStatus.success
        }
        return exists ? ExitStatus.success : ExitStatus.noNode
    }
}

/// zkCli's -v of set, delete and setAcl: the version the change expects, -1 (any) included.
struct ExpectedVersion: ParsableArguments {
    @Option(
        name: .short, parsing: .unconditional,
        help: ArgumentHelp(
            "Only if the version (setAcl: of the ACL) is this; -1: any.", valueName: "version"))
    var version: Int32 = -1
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
