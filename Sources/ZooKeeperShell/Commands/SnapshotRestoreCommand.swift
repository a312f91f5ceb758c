import ArgumentParser
import ZooKeeper
import ZooKeeperProtocol

struct SnapshotRestoreCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Write a subtree of a snapshot back to a live server, with versions checked.",
        discussion: """
            Parents first: a node missing on the server is created with the snapshot's data and ACL \
            (a container or TTL node as one); a node whose data or ACL differs is set, with the version \
            the server had when read, so a change made meanwhile fails the restore (BadVersion) \
            rather than being overwritten. Nodes already the same are left alone; ephemeral nodes are \
            skipped (their session is gone). Nothing is deleted. --dry-run prints what would be done. \
            The summary goes to stderr (--json: to stdout, with every action).
            """)
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .long, help: "The server to write to (default: --server or $ZK_SERVER).") var to: String?
    @Flag(name: .long, help: "Print what would be done, change nothing.") var dryRun = false
    @OptionGroup var source: SnapshotSource
    @Argument(help: "The root of the subtree to restore.") var path: String

    func run(in shell: ShellContext) async throws {
        let tree = try source.load(shell)
        let entries = try tree.walk(path)
        if let to { try await shell.connect(to: to) }
        let zk = try await shell.zk()
        var actions: [(action: String, path: String)] = []
        for entry in entries {
            let node = tree.nodes[entry.path]!
            if node.stat.ephemeralOwner != 0 {
                actions.append(("skip-ephemeral", entry.path))
                continue
            }
            guard let current = try await Self.read(zk, entry.path) else {
                if !dryRun {
                    let mode: CreateMode =
                        node.persisted.isContainer
                        ? .container : node.persisted.ttl != nil ? .persistentWithTTL : .persistent
                    let ttl = node.persisted.ttl.map { Duration.milliseconds($0) }
                    try await zk.create(entry.path, data: node.data, acl: node.acl, mode: mode, ttl: ttl)
                }
                actions.append(("create", entry.path))
                continue
            }
            var changed = false
            if current.data != node.data {
                if !dryRun { _ = try await zk.setData(entry.path, data: node.data, version: current.version) }
                actions.append(("set-data", entry.path))
                changed = true
            }
            if current.acl != node.acl {
                if !dryRun { _ = try await zk.setACL(entry.path, acl: node.acl, version: current.aversion) }
                actions.append(("set-acl", entry.path))
                changed = true
            }
            if !changed { actions.append(("same", entry.path)) }
        }
        if shell.json {
            return shell.output.json(actions.map { ["action": $0.action, "path": $0.path] })
        }
        for action in actions where action.action != "same" {
            if dryRun { shell.output.line("\(action.action) \(action.path)") }
        }
        let count = { (name: String) in actions.filter { $0.action == name }.count }
        shell.output.error(
            "\(dryRun ? "would restore" : "restored") \(path): \(count("create")) created, "
                + "\(count("set-data")) data set, \(count("set-acl")) ACLs set, \(count("same")) unchanged, "
                + "\(count("skip-ephemeral")) ephemeral skipped")
    }

    /// A live node's data, versions and ACL; nil when it does not exist.
    static func read(_ zk: ZooKeeperClient, _ path: String) async throws -> (
        data: [UInt8], version: Int32, aversion: Int32, acl: [ACL]
    )? {
        do {
            let node = try await zk.getData(path)
            let acl = try await zk.getACL(path)
            return (node.data, node.stat.version, acl.stat.aversion, acl.acl)
        } catch let error as ZooKeeperError where error.code == .noNode {
            return nil
        }
    }
}
