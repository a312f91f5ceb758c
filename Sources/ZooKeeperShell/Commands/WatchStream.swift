import ZooKeeper
import ZooKeeperProtocol

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What `zk watch` (and `addWatch` run once) does: sets a persistent watch, prints each of its
/// events (or runs `--exec` for it), and says what becomes of the watch when the connection
/// fails, one line each on stderr (a JSON line on stdout with --json, `{"state": ...}`):
///
/// - the connection is lost (SUSPENDED): the client reconnects, and the watch lives on with the
///   session;
/// - reconnected within the session (CONNECTED): the client has set the watch again. The server
///   does not replay a persistent watch's events: changes made while disconnected are not reported;
/// - the session expired (EXPIRED): its watch is gone. The client starts a new session
///   (CONNECTED), the watch is set again on it (WATCHING); changes made in between are not reported.
struct WatchStream {
    var path: String
    var mode: AddWatchMode
    var count: Int?
    var exec: String?

    /// What the stream follows: the watch's events and the client's states, in one sequence.
    private enum Item: Sendable {
        case event(WatchedEvent)
        case state(ZooKeeperClient.State)
        /// The watch ended: removed (nil), or with its session or its client.
        case ended((any Error)?)
    }

    /// Runs until `count` events (or for ever); removes the watch then.
    func run(_ zk: ZooKeeperClient, in shell: ShellContext) async throws {
        let (items, sink) = AsyncStream<Item>.makeStream()
        let states = zk.states()
        let first = try await Self.addWatch(path, mode: mode, on: zk)
        var watch: ZooKeeperWatch? = first
        var server = (try? await zk.session().server).map { "\($0)" } ?? "the server"
        try await withThrowingTaskGroup(of: Void.self) { group in
            defer { group.cancelAll() }
            group.addTask { for await state in states { sink.yield(.state(state)) } }
            group.addTask { await Self.forward(first, to: sink) }
            var state: ZooKeeperClient.State?
            // The session expired since the watch was last set.
            var expired = false
            var seen = 0
            following: for await item in items {
                switch item {
                case .event(let event):
                    try await show(event, in: zk, shell: shell)
                    seen += 1
                    if let count, seen >= count { break following }
                case .state(let new):
                    defer { state = new }
                    guard let old = state, old != new else { continue }
                    if new == .expired { expired = true }
                    if new.isConnected, let session = try? await zk.session() {
                        server = session.server.map { "\($0)" } ?? server
                        report(new, after: old, session: Formatting.hex(session.id), server: server, in: shell)
                    } else {
                        report(new, after: old, session: nil, server: server, in: shell)
                    }
                case .ended(nil):
                    return
                case .ended(let error?):
                    guard (error as? ZooKeeperError)?.code == .sessionExpired else { throw error }
                    watch = nil
                }
                // The old session's watch has ended and a new session has started: watch again.
                guard watch == nil, expired, state?.isConnected == true else { continue }
                do {
                    let again = try await zk.addWatch(path, mode: mode)
                    watch = again
                    expired = false
                    group.addTask { await Self.forward(again, to: sink) }
                    if shell.json {
                        shell.output.json(["state": "WATCHING", "path": path])
                    } else {
                        shell.output.error(
                            "zk: watching \(path) again; changes made while it was gone are not reported")
                    }
                } catch let error as ZooKeeperError where error.code == .connectionLoss || error.code == .sessionExpired
                {
                    // Tried again at the next connection.
                }
            }
            // In a task of its own: a cancelled task's requests are abandoned (Ctrl-C in the shell),
            // and the server would keep the watch for the session's life.
            let last = watch
            await Task { try? await last?.remove() }.value
        }
    }

    /// Sets the watch, again when the connection is lost before the server answers (the client
    /// reconnects, and setting a watch twice is harmless): a watch that follows a node through
    /// connection losses should not end on the first, in the moment it is being set. A server
    /// that stays unreachable still ends it, as the session expires or the client gives up.
    private static func addWatch(
        _ path: String, mode: AddWatchMode, on zk: ZooKeeperClient
    ) async throws -> ZooKeeperWatch {
        var attempts = 0
        while true {
            do {
                return try await zk.addWatch(path, mode: mode)
            } catch let error as ZooKeeperError where error.code == .connectionLoss && attempts < 10 {
                attempts += 1
            }
        }
    }

    /// Passes a watch's events on, then how it ended.
    private static func forward(_ watch: ZooKeeperWatch, to sink: AsyncStream<Item>.Continuation) async {
        do {
            for try await event in watch { sink.yield(.event(event)) }
            sink.yield(.ended(nil))
        } catch {
            sink.yield(.ended(error))
        }
    }

    /// Prints an event with the node's data and stat as read just after it (possibly newer than
    /// the change the event reports; nothing for a deleted node), or runs `exec` for it.
    private func show(_ event: WatchedEvent, in zk: ZooKeeperClient, shell: ShellContext) async throws {
        var node: (data: [UInt8], stat: Stat)?
        if event.type != .nodeDeleted, let result = try? await zk.getData(event.path) {
            node = (result.data, result.stat)
        }
        if let exec {
            var environment = ["ZK_EVENT_TYPE": "\(event.type)", "ZK_EVENT_PATH": event.path]
            if let node {
                let utf8 = String(validating: node.data, as: UTF8.self) != nil && !node.data.contains(0)
                environment["ZK_EVENT_DATA"] =
                    utf8 ? String(decoding: node.data, as: UTF8.self) : Data(node.data).base64EncodedString()
                environment["ZK_EVENT_DATA_ENCODING"] = utf8 ? "utf-8" : "base64"
                environment["ZK_EVENT_VERSION"] = "\(node.stat.version)"
                environment["ZK_EVENT_ZXID"] = Formatting.hex(node.stat.mzxid)
                environment["ZK_EVENT_MTIME"] = "\(node.stat.mtime)"
            }
            let status = try await ChildCommand.run(
                ["sh", "-c", exec], environment: environment, input: node?.data ?? [])
            if status != 0 {
                shell.output.error("zk: --exec exited with status \(status) for \(event.type) \(event.path)")
            }
        } else if shell.json {
            var object = Formatting.json(event)
            if let node {
                object.merge(Formatting.json(data: node.data)) { $1 }
                object["version"] = node.stat.version
                object["zxid"] = node.stat.mzxid
                object["mtime"] = node.stat.mtime
            }
            shell.output.json(object)
        } else if let node {
            let stat = node.stat
            shell.output.line(
                "\(event.type) \(event.path) version \(stat.version) zxid \(Formatting.hex(stat.mzxid)) "
                    + "\(Formatting.date(stat.mtime)): \(Formatting.oneLine(node.data))")
        } else {
            shell.output.line("\(event.type) \(event.path)")
        }
    }

    /// Says what a change of the client's state means for the watch.
    private func report(
        _ state: ZooKeeperClient.State, after old: ZooKeeperClient.State, session: String?, server: String,
        in shell: ShellContext
    ) {
        let line: String
        switch state {
        case .suspended:
            line = "zk: connection to \(server) lost; reconnecting"
        case .connected, .connectedReadOnly:
            let readOnly = state == .connectedReadOnly ? " (read-only)" : ""
            line =
                old == .suspended
                ? "zk: reconnected to \(server)\(readOnly), session \(session ?? "?"); "
                    + "changes made while disconnected are not reported"
                : "zk: connected to \(server)\(readOnly) with a new session, \(session ?? "?")"
        case .expired:
            line = "zk: session expired; the watch is gone until a new session starts"
        case .connecting, .saslAuthenticated, .authFailed, .closed:
            return
        }
        guard shell.json else { return shell.output.error(line) }
        var object: [String: Any] = ["state": "\(state)"]
        if let session {
            object["session"] = session
            object["server"] = server
        }
        shell.output.json(object)
    }
}
