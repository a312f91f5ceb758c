import ArgumentParser
import ProcessSupport
import ZooKeeper
import ZooKeeperProtocol

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `edit`: opens a node's data in $VISUAL or $EDITOR and writes it back if unchanged meanwhile.
struct EditCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Edit a node's data in $VISUAL/$EDITOR; written back only if nobody changed it meanwhile.",
        discussion: """
            When the node changed meanwhile (status 4) or the write fails otherwise, the edited data \
            is kept in a file whose path is printed: nothing of the work is lost.
            """)
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The node.", completion: .znode) var path: String

    func run(in shell: ShellContext) async throws {
        let zk = try await shell.zk()
        let node = shell.resolve(path)
        let current = try await zk.getData(node)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("zk-edit-\(UUID().uuidString)")
        try Data(current.data).write(to: file)
        var keep = false
        defer { if !keep { try? FileManager.default.removeItem(at: file) } }
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
            keep = true
            throw ShellError(
                "\(node) changed while you edited it; nothing written; your version is in \(file.path)",
                status: ExitStatus.badVersion)
        } catch let error as ZooKeeperError {
            keep = true
            throw ZooKeeperError(error.code, "\(error.message); your version is in \(file.path)", path: error.path)
        }
    }
}

/// `diff`: compares two subtrees by relative path and data.
struct DiffCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two subtrees: '-' only in the first, '+' only in the second, '~' data differs.",
        discussion: """
            A '~' line is followed by the first subtree's data ('  - OLD') and the second's ('  + NEW'), \
            as text, or base64 when it is not UTF-8. With --json: [{"change": "~", "path": ..., "old": \
            ..., "new": ..., "encoding": ...}], "old" only for '-', "new" only for '+'. Exit status 0 \
            when they are the same, 1 when they differ.
            """)
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The first subtree.", completion: .znode) var first: String
    @Argument(help: "The second subtree.", completion: .znode) var second: String

    func run(in shell: ShellContext) async throws {
        let zk = try await shell.zk()
        let left = try await contents(zk, shell.resolve(first))
        let right = try await contents(zk, shell.resolve(second))
        var changes: [(change: String, path: String, old: [UInt8]?, new: [UInt8]?)] = []
        for path in Set(left.keys).union(right.keys).sorted() {
            switch (left[path], right[path]) {
            case (.some(let old), nil): changes.append(("-", path, old, nil))
            case (nil, .some(let new)): changes.append(("+", path, nil, new))
            case (.some(let old), .some(let new)) where old != new: changes.append(("~", path, old, new))
            default: break
            }
        }
        if shell.json {
            shell.output.json(changes.map(Self.json))
        } else {
            for change in changes {
                shell.output.line("\(change.change) \(change.path)")
                guard change.change == "~", let old = change.old, let new = change.new else { continue }
                shell.output.line("  - " + Formatting.oneLine(old))
                shell.output.line("  + " + Formatting.oneLine(new))
            }
        }
        if !changes.isEmpty { throw ExitCode(ExitStatus.failure) }
    }

    private static func json(_ change: (change: String, path: String, old: [UInt8]?, new: [UInt8]?)) -> [String: Any] {
        var object: [String: Any] = ["change": change.change, "path": change.path]
        // One encoding for both: base64 when either is not UTF-8.
        let binary = [change.old, change.new].contains {
            $0.map { String(validating: $0, as: UTF8.self) == nil } ?? false
        }
        object["encoding"] = binary ? "base64" : "utf-8"
        for (key, data) in [("old", change.old), ("new", change.new)] {
            guard let data else { continue }
            object[key] = binary ? Data(data).base64EncodedString() : String(decoding: data, as: UTF8.self)
        }
        return object
    }

    /// Data by path relative to the root ("" for the root itself).
    private func contents(_ zk: ZooKeeperClient, _ root: String) async throws -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for entry in try await TreeCommand.walk(zk, root).complete() {
            let relative = String(entry.path.dropFirst(root == "/" ? 0 : root.count))
            result[relative.isEmpty ? "." : relative] = try await zk.getData(entry.path).data
        }
        return result
    }
}
