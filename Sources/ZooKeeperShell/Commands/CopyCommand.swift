import ArgumentParser
import ZooKeeper

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `cp`: copies a subtree between two places of the server, or to and from a JSON file or a local
/// directory (backup and restore). A place is a znode path, `json:FILE` or `dir:DIRECTORY`.
struct CopyCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "cp",
        abstract: "Copy a subtree: znode to znode, or to and from json:FILE or dir:DIRECTORY (backup, restore).",
        discussion: """
            Data and ACLs are copied (a directory keeps data only: one directory per node, its data in \
            a file named \(CopyCommand.dataFile)); existing nodes and files are overwritten only with --force.
            """)
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Flag(name: .long, help: "Overwrite the data of nodes that already exist.") var force = false
    @Argument(help: "The source.", completion: .znode) var source: String
    @Argument(help: "The destination.", completion: .znode) var destination: String

    struct Node {
        var relativePath: String
        var data: [UInt8]
        var acl: [ACL]
    }

    /// In a directory copy, the file holding a node's data, inside the node's directory.
    static let dataFile = ".zkdata"

    func run(in shell: ShellContext) async throws {
        let (nodes, walk) = try await read(source, shell)
        try await write(nodes, to: destination, shell)
        if !shell.json { shell.output.error("copied \(nodes.count) nodes") }
        try walk?.finish(shell.output)
    }

    /// The nodes of a place and, for a subtree of the server, the walk that read it (which
    /// notes the nodes that could not be read).
    private func read(_ place: String, _ shell: ShellContext) async throws -> ([Node], TreeWalk?) {
        if place.hasPrefix("dir:") {
            return (try readDirectory(String(place.dropFirst(4))), nil)
        }
        if place.hasPrefix("json:") {
            let file = String(place.dropFirst(5))
            guard let data = FileManager.default.contents(atPath: file),
                let entries = try? JSONText.decode(data) as? [[String: Any]]
            else { throw ShellError("cannot read a backup from \(file)", status: ExitStatus.usage) }
            let nodes = try entries.map { entry in
                guard let path = entry["path"] as? String, let text = entry["data"] as? String,
                    let acl = entry["acl"] as? [[String: String]]
                else { throw ShellError("malformed entry in \(file)", status: ExitStatus.usage) }
                let bytes =
                    entry["encoding"] as? String == "base64"
                    ? Data(base64Encoded: text).map(Array.init) : Array(text.utf8)
                guard let bytes else { throw ShellError("bad base64 in \(file) at \(path)", status: ExitStatus.usage) }
                let entries = try acl.map { item -> ACL in
                    guard let scheme = item["scheme"], let id = item["id"],
                        let perms = item["perms"].flatMap(Permissions.init(letters:))
                    else { throw ShellError("bad ACL in \(file) at \(path)", status: ExitStatus.usage) }
                    return ACL(permissions: perms, id: Id(scheme: scheme, id: id))
                }
                return Node(relativePath: path, data: bytes, acl: entries)
            }
            return (nodes, nil)
        }
        let zk = try await shell.zk()
        let root = shell.resolve(place)
        var walk = try await TreeCommand.walk(zk, root)
        var nodes: [Node] = []
        for path in walk.paths {
            do {
                let data = try await zk.getData(path).data
                let acl = try await zk.getACL(path).acl
                nodes.append(
                    Node(relativePath: String(path.dropFirst(root == "/" ? 0 : root.count)), data: data, acl: acl))
            } catch let error as ZooKeeperError where error.code == .noNode {
                continue
            } catch let error as ZooKeeperError where error.code == .noAuth {
                walk.skip(path)
            }
        }
        return (nodes, walk)
    }

    private func write(_ nodes: [Node], to place: String, _ shell: ShellContext) async throws {
        if place.hasPrefix("dir:") {
            return try writeDirectory(nodes, String(place.dropFirst(4)))
        }
        if place.hasPrefix("json:") {
            let file = String(place.dropFirst(5))
            if FileManager.default.fileExists(atPath: file) && !force {
                throw ShellError("\(file) exists; add --force to overwrite it", status: ExitStatus.usage)
            }
            let entries: [[String: Any]] = nodes.map { node in
                var entry = Formatting.json(data: node.data)
                entry["path"] = node.relativePath
                entry["acl"] = node.acl.map(Formatting.json)
                return entry
            }
            let data = Data((try JSONText.encode(entries, pretty: true) + "\n").utf8)
            guard FileManager.default.createFile(atPath: file, contents: data) else {
                throw ShellError("cannot write \(file)")
            }
            return
        }
        let zk = try await shell.zk()
        let root = shell.resolve(place)
        guard root != "/zookeeper", !root.hasPrefix("/zookeeper/") else {
            throw ShellError("refusing to write under /zookeeper", status: ExitStatus.usage)
        }
        for node in nodes {
            let path = node.relativePath.isEmpty ? root : (root == "/" ? "" : root) + node.relativePath
            if path == "/" || path.hasPrefix("/zookeeper") { continue }
            do {
                try await zk.create(path, data: node.data, acl: node.acl)
            } catch let error as ZooKeeperError where error.code == .nodeExists {
                guard force else {
                    throw ShellError("\(path) exists; add --force to overwrite", status: ExitStatus.nodeExists)
                }
                try await zk.setData(path, data: node.data)
            }
        }
    }

    /// A directory tree as nodes: every directory is a node (the top one is the root), with the
    /// data of its data file, and the open ACL.
    private func readDirectory(_ directory: String) throws -> [Node] {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory else {
            throw ShellError("\(directory) is not a directory", status: ExitStatus.usage)
        }
        let base = URL(fileURLWithPath: directory)
        func data(_ relative: String) -> [UInt8] {
            let file = base.appendingPathComponent(relative).appendingPathComponent(Self.dataFile)
            return FileManager.default.contents(atPath: file.path).map(Array.init) ?? []
        }
        var nodes = [Node(relativePath: "", data: data(""), acl: ACL.openUnsafe)]
        guard let subpaths = try? FileManager.default.subpathsOfDirectory(atPath: directory) else { return nodes }
        let relatives = subpaths.filter { relative in
            var isDirectory = false
            let exists = FileManager.default.fileExists(
                atPath: base.appendingPathComponent(relative).path, isDirectory: &isDirectory)
            return exists && isDirectory
        }
        // Parents before children.
        for relative in relatives.sorted(by: { $0.split(separator: "/").count < $1.split(separator: "/").count }) {
            nodes.append(Node(relativePath: "/" + relative, data: data(relative), acl: ACL.openUnsafe))
        }
        return nodes
    }

    /// Nodes as a directory tree (see `readDirectory`); ACLs are not kept.
    private func writeDirectory(_ nodes: [Node], _ directory: String) throws {
        if FileManager.default.fileExists(atPath: directory) && !force {
            throw ShellError("\(directory) exists; add --force to write into it", status: ExitStatus.usage)
        }
        let base = URL(fileURLWithPath: directory)
        for node in nodes {
            if node.relativePath.split(separator: "/").contains(Substring(Self.dataFile)) {
                throw ShellError("\(node.relativePath): a node named \(Self.dataFile) cannot be kept in a directory")
            }
            let folder = base.appendingPathComponent(String(node.relativePath.drop { $0 == "/" }))
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let file = folder.appendingPathComponent(Self.dataFile)
                if node.data.isEmpty {
                    try? FileManager.default.removeItem(at: file)
                } else {
                    try Data(node.data).write(to: file)
                }
            } catch {
                throw ShellError("cannot write \(folder.path): \(error)")
            }
        }
    }
}
