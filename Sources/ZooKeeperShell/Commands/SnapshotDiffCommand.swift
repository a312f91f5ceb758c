import ArgumentParser
import ZooKeeper
import ZooKeeperProtocol

struct SnapshotDiffCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare a snapshot with another one, or with a live server: '-' removed, '+' added, '~' changed.",
        discussion: """
            Without OTHER, compares with the server of --server (or $ZK_SERVER). A '~' line names what \
            changed: data, version (the data version), acl (the ACL or its version), owner (the \
            ephemeral owner). With --json: [{"change": "~", "path": ..., "changed": ["data", ...]}]. \
            Exit status 0 when they are the same, 1 when they differ.
            """)
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .long, help: "Compare only this subtree (default: /).") var path = "/"
    @OptionGroup var source: SnapshotSource
    @Argument(help: "The other snapshot file or data directory (default: the live server).", completion: .file())
    var other: String?

    /// What is compared of a node.
    struct Facts: Equatable {
        var data: [UInt8]
        var version: Int32
        var aversion: Int32
        var acl: [ACL]?
        var owner: Int64
    }

    func run(in shell: ShellContext) async throws {
        var old = try Self.facts(try source.load(shell), path)
        let new: [String: Facts]
        if let other {
            new = try Self.facts(try OfflineTree(other, warn: shell.output.error), path)
        } else {
            new = try await Self.facts(try await shell.zk(), path, shell: shell)
            old = old.mapValues { facts in
                var facts = facts
                facts.acl = nil
                return facts
            }
        }
        var changes: [(change: String, path: String, fields: [String])] = []
        for path in Set(old.keys).union(new.keys).sorted() {
            switch (old[path], new[path]) {
            case (.some, nil): changes.append(("-", path, []))
            case (nil, .some): changes.append(("+", path, []))
            case (.some(let before), .some(let after)) where before != after:
                var fields: [String] = []
                if before.data != after.data { fields.append("data") }
                if before.version != after.version { fields.append("version") }
                if before.aversion != after.aversion || before.acl != after.acl { fields.append("acl") }
                if before.owner != after.owner { fields.append("owner") }
                changes.append(("~", path, fields))
            default: break
            }
        }
        if shell.json {
            shell.output.json(
                changes.map { change -> [String: Any] in
                    var object: [String: Any] = ["change": change.change, "path": change.path]
                    if change.change == "~" { object["changed"] = change.fields }
                    return object
                })
        } else {
            for change in changes {
                shell.output.line(
                    change.change + " " + change.path
                        + (change.fields.isEmpty ? "" : " (" + change.fields.joined(separator: ", ") + ")"))
            }
        }
        if !changes.isEmpty { throw ExitCode(ExitStatus.failure) }
    }

    static func facts(_ tree: OfflineTree, _ root: String) throws -> [String: Facts] {
        var facts: [String: Facts] = [:]
        for entry in try tree.walk(root) {
            let node = tree.nodes[entry.path]!
            facts[entry.path] = Facts(
                data: node.data, version: node.stat.version, aversion: node.stat.aversion, acl: node.acl,
                owner: node.stat.ephemeralOwner)
        }
        return facts
    }

    /// A live subtree's nodes (ACLs compared by their version only, to read each node once).
    static func facts(_ zk: ZooKeeperClient, _ root: String, shell: ShellContext) async throws -> [String: Facts] {
        var walk = try await TreeCommand.walk(zk, root)
        let paths = walk.paths
        var facts: [String: Facts] = [:]
        for (path, node) in try walk.readable(
            paths, try await TreeCommand.inBatches(paths, { try await zk.getData($0) }))
        {
            facts[path] = Facts(
                data: node.data, version: node.stat.version, aversion: node.stat.aversion, acl: nil,
                owner: node.stat.ephemeralOwner)
        }
        try walk.finish(shell.output)
        return facts
    }
}
