import ArgumentParser
import ZooKeeper

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `edit`: opens a node's data in $VISUAL or $EDITOR and writes it back if unchanged meanwhile.
struct Edit: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Edit a node's data in $VISUAL/$EDITOR; written back only if nobody changed it meanwhile.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The node.", completion: .znode) var path: String

    func run(in shell: ShellContext) async throws {
        let zk = try await shell.zk()
        let node = shell.resolve(path)
        let current = try await zk.getData(node)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("zk-edit-\(UUID().uuidString)")
        try Data(current.data).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let environment = ProcessInfo.processInfo.environment
        let editor = [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
        // The editor may carry arguments ("code -w"): the shell splits them.
        let process = try ChildProcess(
            "/bin/sh", arguments: ["sh", "-c", "\(editor) \"$1\"", "zk-edit", file.path], environment: environment)
        let status = await process.status()
        guard status == 0 else { throw ShellError("the editor exited with status \(status); nothing written") }
        let edited = Array(try Data(contentsOf: file))
        guard edited != current.data else {
            shell.output.error("no change")
            return
        }
        do {
            try await zk.setData(node, data: edited, version: current.stat.version)
        } catch let error as ZooKeeperError where error.code == .badVersion {
            throw ShellError("\(node) changed while you edited it; nothing written", status: ExitStatus.badVersion)
        }
    }
}

/// `diff`: compares two subtrees by relative path and data.
struct Diff: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two subtrees: '-' only in the first, '+' only in the second, '~' data differs.",
        discussion: "Exit status 0 when they are the same, 1 when they differ.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The first subtree.", completion: .znode) var first: String
    @Argument(help: "The second subtree.", completion: .znode) var second: String

    func run(in shell: ShellContext) async throws {
        let zk = try await shell.zk()
        let left = try await contents(zk, shell.resolve(first))
        let right = try await contents(zk, shell.resolve(second))
        var lines: [(String, String)] = []
        for path in Set(left.keys).union(right.keys).sorted() {
            switch (left[path], right[path]) {
            case (.some, nil): lines.append(("-", path))
            case (nil, .some): lines.append(("+", path))
            case (.some(let a), .some(let b)) where a != b: lines.append(("~", path))
            default: break
            }
        }
        if shell.json {
            shell.output.json(lines.map { ["change": $0.0, "path": $0.1] })
        } else {
            for (change, path) in lines { shell.output.line("\(change) \(path)") }
        }
        if !lines.isEmpty { throw ExitCode(ExitStatus.failure) }
    }

    /// Data by path relative to the root ("" for the root itself).
    private func contents(_ zk: ZooKeeperClient, _ root: String) async throws -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for entry in try await Tree.walk(zk, root).complete() {
            let relative = String(entry.path.dropFirst(root == "/" ? 0 : root.count))
            result[relative.isEmpty ? "." : relative] = try await zk.getData(entry.path).data
        }
        return result
    }
}
