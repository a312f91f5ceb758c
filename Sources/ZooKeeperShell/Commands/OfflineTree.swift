import ZooKeeper
import ZooKeeperProtocol
import ZooKeeperServer

/// A snapshot's tree, read from a file or the newest good snapshot of a data directory, for the
/// offline commands (`zk snapshot`): nodes by path with the stat clients would see.
struct OfflineTree {
    struct Node {
        var data: [UInt8]
        var acl: [ACL]
        var stat: Stat
        /// The stat as stored, which says whether the node is a container or a TTL node.
        var persisted: PersistedStat
        /// The children's full paths, sorted.
        var children: [String]
    }

    /// The file read.
    let file: String
    /// The zxid the snapshot's name carries.
    let zxid: Int64?
    let snapshot: SnapshotFile
    private(set) var nodes: [String: Node] = [:]

    /// Reads `source`: a snapshot file, or a data directory (its `version-2`), whose newest good
    /// snapshot is read (the damaged newer ones are named on stderr through `warn`).
    init(_ source: String, warn: (String) -> Void = { _ in }) throws {
        if DataDirectory.isDirectory(source) {
            let directory = try DataDirectory(source)
            let (found, skipped) = directory.newestValidSnapshot()
            for problem in skipped { warn("zk: skipping \(problem)") }
            guard let found else {
                throw ShellError(
                    directory.snapshots.isEmpty
                        ? "\(directory.path): no snapshot in this data directory"
                        : "\(directory.path): no readable snapshot (\(skipped.count) damaged)")
            }
            file = found.file.path
            zxid = found.file.zxid
            snapshot = found.snapshot
        } else {
            file = source
            let name = String(source.split(separator: "/").last ?? "")
            zxid = DataDirectory.zxid(in: name, prefix: "snapshot")
            let bytes = try DataDirectory.readFile(source)
            snapshot = try SnapshotFile(
                bytes: try SnapshotCompression(detecting: bytes, fileName: name).decompress(bytes, file: source),
                file: source)
        }
        var children: [String: [String]] = [:]
        for node in snapshot.nodes where node.path != "/" {
            children[NodePath.split(node.path).parent, default: []].append(node.path)
        }
        nodes.reserveCapacity(snapshot.nodes.count)
        for node in snapshot.nodes {
            let kids = (children[node.path] ?? []).sorted()
            var stat = node.stat.stat(dataLength: Int32(node.data?.count ?? 0), numChildren: Int32(kids.count))
            // Clients see 0 for containers and TTL nodes (`DataTree.getClientEphemeralOwner`).
            stat.ephemeralOwner = node.stat.ephemeralSession ?? 0
            nodes[node.path] = Node(
                data: node.data ?? [], acl: node.acl, stat: stat, persisted: node.stat, children: kids)
        }
    }

    /// The node at `path`, or NoNode as a server would answer.
    func node(_ path: String) throws -> Node {
        guard let node = nodes[path] else {
            throw ZooKeeperError(.noNode, path: path)
        }
        return node
    }

    /// The subtree under `root` (which must exist), parents first, siblings sorted, at most
    /// `maxDepth` levels below it.
    func walk(_ root: String, maxDepth: Int? = nil) throws -> [TreeCommand.Entry] {
        _ = try node(root)
        var entries: [TreeCommand.Entry] = []
        var stack = [TreeCommand.Entry(path: root, depth: 0)]
        while let entry = stack.popLast() {
            entries.append(entry)
            guard maxDepth.map({ entry.depth < $0 }) ?? true else { continue }
            for child in (nodes[entry.path]?.children ?? []).reversed() {
                stack.append(TreeCommand.Entry(path: child, depth: entry.depth + 1))
            }
        }
        return entries
    }
}
