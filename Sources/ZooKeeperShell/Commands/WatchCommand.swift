import ArgumentParser
import ZooKeeper

struct WatchCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print every change of a node (or, with -R, of its subtree), one line each, until interrupted.",
        discussion: """
            When the connection fails, what becomes of the watch is said on stderr, a line each: the \
            connection is lost (the client reconnects; the watch lives on with the session), reconnected \
            (the watch goes on), the session expired (the watch is gone; it is set again on the new \
            session the client starts). Changes made while the connection or the watch was down are not \
            reported: ZooKeeper does not replay them. With --json these are JSON lines on stdout among \
            the events ({"type": ..., "path": ...}): {"state": "SUSPENDED"}, {"state": "CONNECTED", \
            "session": "0x...", "server": "HOST:PORT"}, {"state": "EXPIRED"}, and {"state": "WATCHING", \
            "path": PATH} once the watch is set again on a new session.

            Each event line carries the node's data, version, zxid and modification time as read \
            just after the event (a later change may already show), nothing for a deleted node: \
            'NodeDataChanged /config/db version 3 zxid 0x1f TIME: DATA', data on one line (\\n for a \
            newline; base64:... when not UTF-8). With --json: {"type", "path", "data", "encoding", \
            "version", "zxid", "mtime"}.
            """)
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Flag(name: .customShort("R"), help: "Watch the whole subtree.") var recursive = false
    @Option(name: .long, help: "Stop after this many events.") var count: Int?
    @Option(
        name: .long,
        help: """
            Run this shell command for each event (one at a time), with $ZK_EVENT_TYPE, $ZK_EVENT_PATH and, \
            unless the node is gone, $ZK_EVENT_DATA ($ZK_EVENT_DATA_ENCODING: utf-8, or base64 for binary \
            data), $ZK_EVENT_VERSION, $ZK_EVENT_ZXID and $ZK_EVENT_MTIME (ms) set, and the data, raw, on \
            its stdin.
            """)
    var exec: String?
    @Argument(help: "The node.", completion: .znode) var path: String

    func run(in shell: ShellContext) async throws {
        let stream = WatchStream(
            path: shell.resolve(path), mode: recursive ? .persistentRecursive : .persistent, count: count, exec: exec)
        try await stream.run(try await shell.zk(), in: shell)
    }
}

/// zkCli's addWatch: in the shell or a script, the watch stays and its events are announced
/// until `removewatches`; run once, it streams the events like `watch`.
struct AddWatchCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "addWatch",
        abstract: "Add a persistent watch (recursive by default); its events are announced until removewatches.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .short, help: ArgumentHelp("PERSISTENT or PERSISTENT_RECURSIVE.", valueName: "mode")) var mode = Mode
        .persistentRecursive
    @Option(name: .long, help: "Run once: stop after this many events.") var count: Int?
    @Argument(help: "The node.", completion: .znode) var path: String

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case persistent = "PERSISTENT"
        case persistentRecursive = "PERSISTENT_RECURSIVE"
        init?(argument: String) { self.init(rawValue: argument.uppercased()) }
    }

    func run(in shell: ShellContext) async throws {
        let zk = try await shell.zk()
        let node = shell.resolve(path)
        let watchMode: AddWatchMode = mode == .persistent ? .persistent : .persistentRecursive
        if ShellContext.current != nil {
            return shell.notices.announce(try await zk.addWatch(node, mode: watchMode))
        }
        try await WatchStream(path: node, mode: watchMode, count: count, exec: nil).run(zk, in: shell)
    }
}

/// zkCli's removewatches.
struct RemoveWatchesCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "removewatches", abstract: "Remove this session's watches on a node.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Flag(name: .short, help: "Remove child watches.") var children = false
    @Flag(name: .short, help: "Remove data watches.") var data = false
    @Flag(name: .short, help: "Remove watches of any kind (the default).") var any = false
    @Flag(name: .short, help: "Remove them locally even when the server cannot be reached.") var locally = false
    @Argument(help: "The node.", completion: .znode) var path: String

    func validate() throws {
        if [children, data, any].filter({ $0 }).count > 1 { throw ValidationError("give one of -c, -d, -a") }
    }

    func run(in shell: ShellContext) async throws {
        let type: WatcherType = children ? .children : data ? .data : .any
        try await shell.zk().removeWatches(shell.resolve(path), type: type, locally: locally)
    }
}

extension ShellContext {
    /// A watch set with -w: the REPL and scripts announce its event when it comes; a one-shot
    /// command prints its result first, then waits for the event and prints it
    /// (``finishOneShot()``).
    func watching(_ path: String, _ watch: ZooKeeperWatch) {
        if ShellContext.current != nil {
            notices.announce(watch)
        } else {
            pendingWatch = watch
        }
    }

    /// After a one-shot command: waits for the event of the watch it set, if any, and prints it.
    func finishOneShot() async throws {
        guard let watch = pendingWatch else { return }
        pendingWatch = nil
        let event = try await watch.event()
        if json {
            output.json(Formatting.json(event))
        } else {
            output.error("WATCHER:: \(event.type) \(event.path)")
        }
    }
}
