import Logging
import ZooKeeper
import ZooKeeperRecipes
import ZooKeeperServer

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The state commands share: the connection (made on first use), the current directory, the
/// output. One-shot commands get a fresh one; the REPL keeps one for the whole session.
final class ShellContext: @unchecked Sendable {
    /// The context of the REPL or script running the current command, if any.
    @TaskLocal static var current: ShellContext?

    let options: GlobalOptions
    let output: Output
    /// A terminal session (deleteall needs no --force there).
    let interactive: Bool
    private(set) var cwd = "/"
    private var previous = "/"
    private var client: ZooKeeperClient?
    private var server: ZooKeeperServer?
    /// Watch events and session changes the REPL and scripts announce.
    let notices = Notices()
    /// The watch a one-shot command set with -w, waited for once its result is printed.
    var pendingWatch: ZooKeeperWatch?
    /// A server chosen with `connect`, replacing the one from the command line.
    private var connectedTo: String?

    /// Every command prints JSON (`zk --json`).
    private let printsJSON: Bool

    /// - Parameter script: several commands in a row (a script or the shell), not one-shot.
    init(options: GlobalOptions, interactive: Bool = false, script: Bool = false, json: Bool = false) {
        self.options = options
        printsJSON = json
        self.interactive = interactive
        output = Output(separatesData: script || interactive)
    }

    /// Whether the running command was given --json (on its own line, in the shell or a script).
    @TaskLocal static var commandWantsJSON = false

    var json: Bool { printsJSON || Self.commandWantsJSON }

    /// The connect string: --server, $ZK_SERVER, $ZOOKEEPER_CONNECT, or the local default.
    var connectString: String {
        let environment = ProcessInfo.processInfo.environment
        return connectedTo ?? GlobalOptions.connectString(given: options.server, environment: { environment[$0] })
    }

    /// The session, connecting on first use. In the interactive shell the client comes back at
    /// once, possibly still connecting: its requests wait for a server at most the connect
    /// timeout.
    func zk() async throws -> ZooKeeperClient {
        if let client { return client }
        let client = try await open()
        notices.follow(client)
        return client
    }

    /// Opens the interactive shell's session (at start and on `connect`): waits for a server at
    /// most the connect timeout, and without one carries on, CONNECTING and still trying, and says
    /// so. Cancelled (Ctrl-C), it stops waiting.
    func openSession() async throws {
        let client = try await open()
        let connected = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await state in client.states() where state.isConnected { return true }
                return false
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int64(self.options.connectTimeout * 1000)))
                return false
            }
            defer { group.cancelAll() }
            return await group.next() ?? false
        }
        // Announced from here on: the first session's arrival only when the prompt has shown
        // CONNECTING meanwhile.
        let state = try await client.session().state
        notices.state = state
        notices.follow(client)
        guard !connected, !Task.isCancelled else { return }
        if state == .connecting {
            notices.post(
                "zk: no server of \(serverAddress) accepted a session within \(Self.seconds(options.connectTimeout)); still trying\(hint)"
            )
        } else if let message = Notices.message(for: state, after: .connecting, server: serverAddress) {
            notices.post(message)
        }
    }

    /// Makes the client: in the interactive shell it keeps trying until a server answers; elsewhere
    /// it waits for the session at most the connect timeout and fails without one.
    private func open() async throws -> ZooKeeperClient {
        var address = connectString
        if options.embedded && connectedTo == nil {
            if server == nil {
                var configuration = ZooKeeperServer.Configuration(port: 0)
                configuration.fourLetterWordWhitelist = ["*"]
                configuration.extendedTypesEnabled = true
                server = try await ZooKeeperServer.start(configuration: configuration)
            }
            address = server!.connectString
        }
        var configuration = ZooKeeperClient.Configuration()
        configuration.sessionTimeout = .milliseconds(Int64(options.timeout * 1000))
        configuration.connectTimeout = .milliseconds(Int64(options.connectTimeout * 1000))
        // A command waits for a server as long as zk waits for one at the start.
        configuration.requestTimeout = configuration.connectTimeout
        configuration.tls = try options.tlsConfiguration()
        configuration.allowReadOnly = options.readOnly
        configuration.maxReplyLength = options.maxReply
        configuration.sasl = try options.saslConfiguration()
        let credentials =
            options.auth + (ProcessInfo.processInfo.environment[ConnectionEnvironment.auth].map { [$0] } ?? [])
        configuration.authentication = credentials.map { credential in
            let scheme = credential.prefix { $0 != ":" }
            return ZooKeeperClient.Authentication(
                scheme: String(scheme), credentials: Array(credential.dropFirst(scheme.count + 1).utf8))
        }
        let client: ZooKeeperClient
        if interactive {
            client = try ZooKeeperClient.start(address, configuration: configuration)
        } else {
            do {
                client = try await ZooKeeperClient.connect(address, configuration: configuration)
            } catch let error as ZooKeeperError where error.code == .connectFailed && !hint.isEmpty {
                throw ZooKeeperError(.connectFailed, "\(error.message)\(hint)")
            }
        }
        self.client = client
        notices.state = try? await client.session().state
        return client
    }

    /// What to do when no server answers at the default address.
    private var hint: String {
        guard options.server == nil && !options.embedded && connectedTo == nil else { return "" }
        return interactive
            ? " (connect HOST:PORT names another)"
            : "; give a server with -s HOST:PORT or $ZK_SERVER, or try --embedded"
    }

    /// Seconds for people: "5 s", "1.5 s".
    private static func seconds(_ value: Double) -> String {
        (value == value.rounded() ? "\(Int(value))" : "\(value)") + " s"
    }

    /// The connected server, for four-letter words.
    var serverAddress: String {
        options.embedded ? (server?.connectString ?? connectString) : connectString
    }

    /// Moves to another server (a new session); the current directory goes back to "/".
    func connect(to address: String) async throws {
        _ = try ConnectString(address)
        _ = try? await client?.close()
        client = nil
        connectedTo = address
        cwd = "/"
        previous = "/"
        if interactive { try await openSession() } else { _ = try await zk() }
    }

    /// Ends the session but keeps the shell; the next command connects again.
    func disconnect() async {
        _ = try? await client?.close()
        client = nil
    }

    /// Closes the session and any embedded server.
    func close() async {
        _ = try? await client?.close()
        client = nil
        try? await server?.shutdown()
        server = nil
    }

    /// A path made absolute against the current directory, with "." and ".." resolved.
    func resolve(_ path: String) -> String {
        Self.resolve(path, against: cwd)
    }

    /// A path made absolute against `directory`, with "." and ".." resolved.
    static func resolve(_ path: String, against directory: String) -> String {
        let absolute = path.hasPrefix("/") ? path : (directory == "/" ? "/" : directory + "/") + path
        var parts: [Substring] = []
        for part in absolute.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        // String concatenation only: appending a Substring goes through generic code whose first
        // use scans the conformance records, a good part of a one-shot read's time.
        var resolved = ""
        for part in parts { resolved += "/" + String(part) }
        return resolved.isEmpty ? "/" : resolved
    }

    /// Changes the current directory ("-" goes back) after checking that the node exists.
    func changeDirectory(_ path: String) async throws {
        let target = path == "-" ? previous : resolve(path)
        guard try await zk().exists(target) != nil else {
            throw ZooKeeperError(.noNode, path: target)
        }
        previous = cwd
        cwd = target
    }

    /// Reports a failed command on stderr, in one line; returns its exit status.
    func report(_ error: any Error) -> Int32 {
        output.report(explained(error))
    }

    /// A request that timed out while no server was connected says so.
    private func explained(_ error: any Error) -> any Error {
        guard let error = error as? ZooKeeperError, error.code == .operationTimeout,
            notices.state?.isConnected != true
        else { return error }
        let trying = interactive ? "; still trying" : ""
        return ZooKeeperError(
            .connectionLoss,
            "no server of \(serverAddress) answered within \(Self.seconds(options.connectTimeout))\(trying)\(hint)",
            path: error.path)
    }
}

/// A command's own failure, printed as one line.
package struct ShellError: Error, CustomStringConvertible {
    var message: String
    var status: Int32 = ExitStatus.failure
    init(_ message: String, status: Int32 = ExitStatus.failure) {
        self.message = message
        self.status = status
    }
    package var description: String { message }

    /// A `--wait` that passed: "gave up waiting: could not ... within ...", status 9.
    static func gaveUp(_ timeout: RecipeTimeout) -> ShellError {
        ShellError("gave up waiting: \(timeout)", status: ExitStatus.gaveUp)
    }
}
