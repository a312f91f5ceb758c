import ArgumentParser
import ZooKeeper

struct Tree: ShellCommand {
    static let configuration = CommandConfiguration(commandName: "tree", abstract: "Draw a subtree.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .shortAndLong, help: "Descend at most this many levels.") var depth: Int?
    @Argument(help: "The root of the subtree (default: the current node).", completion: .znode) var path: String?

    struct Entry {
        var path: String
        var depth: Int
    }

    /// Every node of a subtree, parents before children, siblings sorted. The tree is listed a
    /// level at a time with batch calls of many getChildren requests each (pipelined on the
    /// session), so a large subtree costs about one round trip per level rather than one per node.
    static func walk(_ zk: ZooKeeperClient, _ root: String, maxDepth: Int? = nil) async throws -> [Entry] {
        var children: [String: [String]] = [:]
        var level = [root]
        var depth = 0
        while !level.isEmpty, maxDepth.map({ depth < $0 }) ?? true {
            var next: [String] = []
            for (path, names) in try await listChildren(zk, level, root: root) {
                let paths = names.sorted().map { path == "/" ? "/" + $0 : path + "/" + $0 }
                children[path] = paths
                next += paths
            }
            level = next
            depth += 1
        }
        var result: [Entry] = []
        var stack = [Entry(path: root, depth: 0)]
        while let entry = stack.popLast() {
            result.append(entry)
            for child in (children[entry.path] ?? []).reversed() {
                stack.append(Entry(path: child, depth: entry.depth + 1))
            }
        }
        return result
    }

    /// The children of each of `paths`. A node deleted meanwhile has none; a missing root is an
    /// error.
    private static func listChildren(_ zk: ZooKeeperClient, _ paths: [String], root: String) async throws
        -> [(String, [String])]
    {
        try await zip(paths, inBatches(paths, zk.getChildren)).map { path, result in
            switch result {
            case .success(let names): (path, names)
            case .failure(let error) where error.code == .noNode && path != root: (path, [])
            case .failure(let error): throw error
            }
        }
    }

    /// Runs a batch call (`zk.getData`, `zk.delete`...) over `paths` a slice of `size` at a time,
    /// each slice one round trip; returns every path's result, in order.
    static func inBatches<Value>(
        _ paths: [String], size: Int = 4096, _ call: ([String]) async throws -> [Result<Value, ZooKeeperError>]
    ) async throws -> [Result<Value, ZooKeeperError>] {
        var results: [Result<Value, ZooKeeperError>] = []
        results.reserveCapacity(paths.count)
        for slice in paths.slices(of: size) { results += try await call(Array(slice)) }
        return results
    }

    /// Deletes `paths` in their order (children before their parents), a batch at a time; a
    /// node gone meanwhile is no failure, the first other one (a node that gained a child, or no
    /// permission) is thrown once every delete has been tried.
    static func delete(_ paths: [String], with zk: ZooKeeperClient) async throws {
        for case .failure(let error) in try await inBatches(paths, { try await zk.delete($0) })
        where error.code != .noNode {
            throw error
        }
    }

    func run(in shell: ShellContext) async throws {
        let root = shell.resolve(path ?? ".")
        let entries = try await Self.walk(try await shell.zk(), root, maxDepth: depth)
        if shell.json {
            return shell.output.json(Self.nest(entries, root))
        }
        // Box-drawing lines, as tree(1) draws them.
        for (index, entry) in entries.enumerated() {
            guard entry.depth > 0 else {
                shell.output.line(entry.path)
                continue
            }
            var prefix = ""
            for level in 1..<entry.depth {
                prefix += Self.hasLaterSibling(entries, index, level) ? "│   " : "    "
            }
            prefix += Self.hasLaterSibling(entries, index, entry.depth) ? "├── " : "└── "
            shell.output.line(prefix + String(entry.path.split(separator: "/").last ?? ""))
        }
    }

    /// Whether the ancestor of entry `index` at `level` (or the entry itself) has a later sibling.
    private static func hasLaterSibling(_ entries: [Entry], _ index: Int, _ level: Int) -> Bool {
        for later in entries[(index + 1)...] {
            if later.depth < level { return false }
            if later.depth == level { return true }
        }
        return false
    }

    private static func nest(_ entries: [Entry], _ root: String) -> [String: Any] {
        var children: [String: [String]] = [:]
        for entry in entries where entry.path != root {
            children[NodePath.split(entry.path).parent, default: []].append(entry.path)
        }
        func node(_ path: String) -> [String: Any] {
            ["path": path, "children": (children[path] ?? []).map(node)]
        }
        return node(root)
    }
}
