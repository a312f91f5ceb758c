import NIOConcurrencyHelpers
import ProcessSupport
import ZooKeeper

#if canImport(Glibc)
    import Glibc
#endif

/// What the shell announces between commands or above the line being typed: events of watches
/// set with -w, and session changes (connection lost, reconnected, expired).
///
/// Notices are filed from any task; a pipe wakes the line editor, which prints them above the
/// line the user is typing and redraws it.
final class Notices: @unchecked Sendable {
    private let lock = NIOLock()
    private var pending: [String] = []
    private var waiting = 0
    /// The wake pipe: read end, write end.
    private let wakePipe: (read: Int32, write: Int32)
    /// Whether watch events are announced (`printwatches on|off`); session changes always are.
    var printsWatches: Bool {
        get { lock.withLock { printsWatchEvents } }
        set { lock.withLock { printsWatchEvents = newValue } }
    }
    private var printsWatchEvents = true
    /// The session's state as last reported (nil before the first connection), for the prompt.
    var state: ZooKeeperClient.State? {
        get { lock.withLock { lastState } }
        set { lock.withLock { lastState = newValue } }
    }
    private var lastState: ZooKeeperClient.State?

    /// Readable when notices are pending.
    var wakeDescriptor: Int32 { wakePipe.read }

    init() {
        var descriptors: [Int32] = [-1, -1]
        // Without a pipe (no descriptors left), notices are still filed; nothing wakes the editor early.
        _ = descriptors.withUnsafeMutableBufferPointer { pipe($0.baseAddress) }
        wakePipe = (descriptors[0], descriptors[1])
        // A full pipe already wakes the editor: posting never waits for it to drain.
        if wakePipe.write >= 0 { _ = fcntl(wakePipe.write, F_SETFL, O_NONBLOCK) }
    }

    deinit {
        if wakePipe.read >= 0 { close(wakePipe.read) }
        if wakePipe.write >= 0 { close(wakePipe.write) }
    }

    /// Follows the watch's events in a task of its own (never cancelled, which would end the
    /// watch) and files each: one for a one-shot watch, every one for a persistent watch until it
    /// is removed.
    func announce(_ watch: ZooKeeperWatch) {
        lock.withLock { waiting += 1 }
        Task {
            defer { lock.withLock { waiting -= 1 } }
            do {
                for try await event in watch where printsWatches {
                    post("WATCHER:: \(event.type) \(event.path)")
                }
            } catch {}
        }
    }

    /// Files a line and wakes the line editor.
    func post(_ line: String) {
        lock.withLock { pending.append(line) }
        if wakePipe.write >= 0 { FileDescriptorIO.writeAll([1], to: wakePipe.write) }
    }

    /// The lines filed so far. While watches are pending, waits a few milliseconds first: an
    /// event is delivered before the reply that revealed the change, but its task may not have
    /// run yet.
    func drain() async -> [String] {
        if lock.withLock({ waiting > 0 }) { try? await Task.sleep(for: .milliseconds(15)) }
        return take()
    }

    /// The lines filed so far, at once; also empties the wake pipe.
    func take() -> [String] {
        var byte: UInt8 = 0
        let descriptor = wakeDescriptor
        var readable = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        while poll(&readable, 1, 0) > 0 && read(descriptor, &byte, 1) == 1 {}
        return lock.withLock {
            defer { pending = [] }
            return pending
        }
    }

    /// Follows the client's states until it closes, announcing each change after the first.
    func follow(_ client: ZooKeeperClient) {
        let states = client.states()
        Task {
            var previous: ZooKeeperClient.State?
            var server = "the server"
            // SaslAuthenticated follows CONNECTED as an announcement; the prompt keeps CONNECTED.
            for await state in states where state != .saslAuthenticated {
                self.state = state
                defer { previous = state }
                if state.isConnected, let host = try? await client.session().server { server = "\(host)" }
                guard let previous, previous != state else { continue }
                if let message = Self.message(for: state, after: previous, server: server) { post(message) }
            }
        }
    }

    /// The line announcing a change of the session's state, if it deserves one.
    static func message(
        for state: ZooKeeperClient.State, after previous: ZooKeeperClient.State, server: String
    ) -> String? {
        let session = previous == .suspended ? "the same session" : "a new session"
        switch state {
        case .suspended: return "zk: connection to \(server) lost; reconnecting (the session lives on)"
        case .connected: return "zk: connected to \(server), \(session)"
        case .connectedReadOnly: return "zk: connected to \(server) (read-only), \(session)"
        case .expired: return "zk: session expired: its ephemeral nodes and watches are gone"
        case .authFailed: return "zk: authentication failed"
        case .connecting, .saslAuthenticated, .closed: return nil
        }
    }
}
