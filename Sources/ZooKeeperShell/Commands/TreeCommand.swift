import ArgumentParser
import ZooKeeper
import ZooKeeperProtocol

struct TreeCommand: ShellCommand {
    static let configuration = CommandConfiguration(commandName: "tree", abstract: "Draw a subtree.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .shortAndLong, help: "Descend at most this many levels.") var depth: Int?
    @Argument(help: "The root of the subtree (default: the current node).", completion: .znode) var path: String?

    struct Entry {
        var path: String
        var depth: Int
    }

    /// Every node of a subtree, parents before children, siblings sorted. The tree is listed a
    /// level at a time with batch calls of many getChildren requests each (pipelined on the
    /// session), so a large subtree costs about one round trip per level rather than one per node.
    /// A node that may not be read is kept, without its children, and noted in the walk; one
    /// deleted meanwhile is left out. A missing root is an error.
    static func walk(_ zk: ZooKeeperClient, _ root: String, maxDepth: Int? = nil) async throws -> TreeWalk {
        try await walk(root, maxDepth: maxDepth) { try await inBatches($0, zk.getChildren) }
    }

    /// The walk above, with `list` answering each level's getChildren requests.
    static func walk(
        _ root: String, maxDepth: Int? = nil,
        list: ([String]) async throws -> [Result<[String], ZooKeeperError>]
    ) async throws -> TreeWalk {
        var children: [String: [String]] = [:]
        var gone: Set<String> = []
        var unreadable: [String] = []
        var level = [root]
        var depth = 0
        while !level.isEmpty, maxDepth.map({ depth < $0 }) ?? true {
            var next: [String] = []
            for (path, result) in zip(level, try await list(level)) {
                switch result {
                case .success(let names):
                    let paths = names.sorted().map { path == "/" ? "/" + $0 : path + "/" + $0 }
                    children[path] = paths
                    next += paths
                case .failure(let error) where error.code == .noNode && path != root: gone.insert(path)
                case .failure(let error) where error.code == .noAuth: unreadable.append(path)
                case .failure(let error): throw error
                }
            }
            level = next
            depth += 1
        }
        var entries: [Entry] = []
        var stack = [Entry(path: root, depth: 0)]
        while let entry = stack.popLast() {
            if gone.contains(entry.path) { continue }
            entries.append(entry)
            for child in (children[entry.path] ?? []).reversed() {
                stack.append(Entry(path: child, depth: entry.depth + 1))
            }
        }
        var walk = TreeWalk(entries: entries)
        unreadable.forEach { walk.skip($0) }
        return walk
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
        if let failure = try await deleteEach(paths, with: zk).first { throw failure.error }
    }

    /// Deletes `paths` in their order, a batch at a time, and returns every failure but those of
    /// nodes gone meanwhile.
    static func deleteEach(_ paths: [String], batch: Int = 4096, with zk: ZooKeeperClient) async throws
        -> [(path: String, error: ZooKeeperError)]
    {
        var failures: [(path: String, error: ZooKeeperError)] = []
        for (path, result) in zip(paths, try await inBatches(paths, size: batch, { try await zk.delete($0) })) {
            if case .failure(let error) = result, error.code != .noNode { failures.append((path, error)) }
        }
        return failures
    }

    func run(in shell: ShellContext) async throws {
        let root = shell.resolve(path ?? ".")
        let walk = try await Self.walk(try await shell.zk(), root, maxDepth: depth)
        if shell.json {
            shell.output.json(Self.nest(walk.entries, root))
        } else {
            Self.draw(walk.entries, to: shell.output)
        }
        try walk.finish(shell.output)
    }

    /// Box-drawing lines, as tree(1) draws them.
    static func draw(_ entries: [Entry], to output: Output) {
        for (index, entry) in entries.enumerated() {
            guard entry.depth > 0 else {
                output.line(entry.path)
                continue
            }
            var prefix = ""
            for level in 1..<entry.depth {
                prefix += Self.hasLaterSibling(entries, index, level) ? "│   " : "    "
            }
            prefix += Self.hasLaterSibling(entries, index, entry.depth) ? "├── " : "└── "
            output.line(prefix + String(entry.path.split(separator: "/").last ?? ""))
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

    static func nest(_ entries: [Entry], _ root: String) -> [String: Any] {
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
