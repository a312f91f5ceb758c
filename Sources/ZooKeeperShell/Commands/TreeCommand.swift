import ArgumentParser
import ZooKeeper

struct Tree: ShellCommand {
    static let configuration = CommandConfiguration(abstract: "Draw a subtree.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .shortAndLong, help: "Descend at most this many levels.") var depth: Int?
    @Argument(help: "The root of the subtree (default: the current node).", completion: .znode) var path: String?

    struct Entry {
        var path: String
        var depth: Int
    }

    /// Every node of a subtree, parents before children, siblings sorted.
    static func walk(_ zk: ZooKeeperClient, _ root: String, maxDepth: Int? = nil) async throws -> [Entry] {
        var result: [Entry] = []
        func visit(_ path: String, _ depth: Int) async throws {
            result.append(Entry(path: path, depth: depth))
            if let maxDepth, depth >= maxDepth { return }
            let children: [String]
            do {
                children = try await zk.getChildren(path)
            } catch let error as ZooKeeperError where error.code == .noNode && depth > 0 {
                return  // deleted meanwhile
            }
            for child in children.sorted() {
                try await visit(path == "/" ? "/" + child : path + "/" + child, depth + 1)
            }
        }
        try await visit(root, 0)
        return result
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
