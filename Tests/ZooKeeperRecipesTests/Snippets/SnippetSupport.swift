import Foundation
import Synchronization
import Testing
import ZooKeeper
import ZooKeeperServer
import ZooKeeperTestSupport

/// Stands in for `ZooKeeperClient` in the documentation's snippets, which connect to hosts that
/// do not exist here (`zk1:2181,zk2:2181,zk3:2181/myapp`, `127.0.0.1:2181`). A snippet suite
/// declares `typealias ZooKeeperClient = SnippetClient`, so a snippet's text stays as documented
/// while its `connect` and `start` reach the embedded server of `SnippetClient.$server` instead,
/// with the connect string's chroot (the connect string is parsed as the client would). Without a
/// server set, they connect where the snippet says (`server.connectString` of an embedded server
/// the snippet starts itself). Either way the client is closed when the test is done with it,
/// since not every snippet closes the clients it opens.
enum SnippetClient {
    typealias Configuration = ZooKeeper.ZooKeeperClient.Configuration

    /// The address of the embedded server that stands in for the snippets' hosts.
    @TaskLocal static var server: String?
    /// The clients opened by snippets, closed by `closingSnippetClients`.
    @TaskLocal static var opened: OpenedClients?

    static func connect(
        _ connectString: String, configuration: Configuration = Configuration()
    ) async throws -> ZooKeeper.ZooKeeperClient {
        let client = try await ZooKeeper.ZooKeeperClient.connect(
            try redirected(connectString), configuration: configuration)
        opened?.append(client)
        return client
    }

    static func start(
        _ connectString: String, configuration: Configuration = Configuration()
    ) throws -> ZooKeeper.ZooKeeperClient {
        let client = try ZooKeeper.ZooKeeperClient.start(try redirected(connectString), configuration: configuration)
        opened?.append(client)
        return client
    }

    private static func redirected(_ connectString: String) throws -> String {
        let parsed = try ConnectString(connectString)
        guard let server else { return connectString }
        return server + (parsed.chroot ?? "")
    }
}

/// Runs `body`, then closes every client that `SnippetClient` opened meanwhile.
func closingSnippetClients(_ body: () async throws -> Void) async throws {
    let opened = OpenedClients()
    do {
        try await SnippetClient.$opened.withValue(opened) { try await body() }
    } catch {
        await opened.closeAll()
        throw error
    }
    await opened.closeAll()
}

/// Runs `body` with an embedded server (made with `configuration`) standing in for the
/// snippets' hosts and a client `zk` connected to it; closes the clients and stops the server
/// afterwards.
func withSnippetServer(
    configuration: ZooKeeperServer.Configuration = ZooKeeperServer.Configuration(port: 0),
    _ body: (_ zk: ZooKeeper.ZooKeeperClient) async throws -> Void
) async throws {
    try await ZooKeeperServer.withServer(configuration: configuration) { server in
        try await SnippetClient.$server.withValue(server.connectString) {
            try await closingSnippetClients {
                try await body(try await connectToSnippetServer())
            }
        }
    }
}

/// Another session on the server of `withSnippetServer`, closed at its end.
func connectToSnippetServer() async throws -> ZooKeeper.ZooKeeperClient {
    let server = try #require(SnippetClient.server, "only within withSnippetServer")
    let client = try await ZooKeeper.ZooKeeperClient.connect(server)
    SnippetClient.opened?.append(client)
    return client
}

/// A suite of snippet tests, whose snippets print to `log`.
protocol SnippetSuite {
    var log: SnippetLog { get }
}

extension SnippetSuite {
    /// Records what a snippet prints: in a suite, this `print` stands in for the standard library's.
    func print(_ items: Any..., separator: String = " ") {
        log.record(items.map { "\($0)" }.joined(separator: separator))
    }
}

/// What a snippet did: the lines it printed and the calls to the functions the snippets assume
/// (`apply`, `deductStock`...), in order; and how a snippet run in the background ended.
final class SnippetLog: Sendable {
    private let state = Mutex<(lines: [String], ended: String?)>(([], nil))

    /// Everything recorded so far.
    var lines: [String] { state.withLock { $0.lines } }

    func record(_ line: String) {
        state.withLock { $0.lines.append(line) }
    }

    /// Runs `body` (a snippet that waits or loops until cancelled) in a task of its own; `until`
    /// fails early when it ends with an error. Cancelled, it ends quietly.
    func background(_ body: @escaping @Sendable () async throws -> Void) -> Task<Void, any Error> {
        Task {
            do {
                try await body()
            } catch is CancellationError where Task.isCancelled {
                // The test ended it: a loop over a watch ends with CancellationError then.
            } catch {
                state.withLock { $0.ended = "\(error)" }
                throw error
            }
        }
    }

    /// Waits until `condition` holds for the lines recorded (or for what it looks up itself).
    /// - Throws: when a background snippet failed meanwhile, or after a minute: far longer than
    ///   anything here takes on a loaded machine.
    func until(_ condition: @Sendable ([String]) async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while try await !condition(lines) {
            if let ended = state.withLock({ $0.ended }) {
                throw SnippetFailed(description: "the snippet failed: \(ended); recorded: \(lines)")
            }
            guard ContinuousClock.now < deadline else {
                throw SnippetFailed(description: "the snippet did not get there; recorded: \(lines)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

struct SnippetFailed: Error, CustomStringConvertible {
    var description: String
}
