import ArgumentParser
import ZooKeeper

struct Watch: ShellCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every change of a node (or, with -R, of its subtree), one line each, until interrupted.")
    @OptionGroup var global: GlobalOptions
    @Flag(name: .customShort("R"), help: "Watch the whole subtree.") var recursive = false
    @Option(name: .long, help: "Stop after this many events.") var count: Int?
    @Argument(help: "The node.") var path: String

    func run(in shell: ShellContext) async throws {
        let zk = try await shell.zk()
        let node = shell.resolve(path)
        let watch = try await zk.addWatch(node, mode: recursive ? .persistentRecursive : .persistent)
        var seen = 0
        for try await event in watch {
            if shell.json {
                shell.output.json(Formatting.json(event))
            } else {
                shell.output.line("\(event.type) \(event.path)")
            }
            seen += 1
            if let count, seen >= count { break }
        }
        try? await watch.remove()
    }
}

extension ShellContext {
    /// A watch set with -w: the REPL prints its event between lines; a one-shot command waits
    /// for it and prints it.
    func watching(_ path: String, _ watch: ZooKeeperWatch) async throws {
        if interactive {
            pendingWatches.append((path, watch))
            return
        }
        let event = try await watch.event()
        if json {
            output.json(Formatting.json(event))
        } else {
            output.error("WATCHER:: \(event.type) \(event.path)")
        }
    }
}
