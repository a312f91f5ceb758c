import Foundation
import ZooKeeper

/// One standalone Apache ZooKeeper for the tests that do not stop servers; started on first use,
/// ended by its watchdog when the test process exits. Each test works under its own chroot.
public enum SharedApacheZooKeeper {
    private static let server = Task {
        try await ApacheZooKeeper.start(
            extraProperties: ["-Dzookeeper.extendedTypesEnabled=true"], extraConfig: ["maxSessionTimeout=60000"])
    }

    public static func connectString() async throws -> String {
        // Checked in the test's own task (not the shared one), so that it is this test that is skipped.
        try Prerequisite.apacheZooKeeper()
        return try await server.value.connectString
    }

    /// A configuration for tests: sessions of 30 s by default, long enough that a test process
    /// starved for seconds on a busy machine keeps them (a session meant to expire asks for a
    /// short one), and 20 s to connect and for each reply.
    public static func configuration(sessionTimeout: Duration = .seconds(30)) -> ZooKeeperClient.Configuration {
        var configuration = ZooKeeperClient.Configuration()
        configuration.sessionTimeout = sessionTimeout
        configuration.connectTimeout = .seconds(20)
        configuration.requestTimeout = .seconds(20)
        return configuration
    }

    /// Runs `body` with a client rooted at a fresh node of its own, and closes every client.
    public static func withClient<T>(
        _ body: (_ zk: ZooKeeperClient, _ root: String, _ connect: @Sendable () async throws -> ZooKeeperClient)
            async throws -> T
    ) async throws -> T {
        let hosts = try await connectString()
        let root = "/test-\(UUID().uuidString.prefix(8))"
        let admin = try await ZooKeeperClient.connect(hosts, configuration: configuration())
        try await admin.create(root)
        try await admin.close()
        let opened = OpenedClients()
        let connect: @Sendable () async throws -> ZooKeeperClient = {
            let client = try await ZooKeeperClient.connect(hosts + root, configuration: configuration())
            opened.append(client)
            return client
        }
        let zk = try await connect()
        do {
            let result = try await body(zk, root, connect)
            await opened.closeAll()
            return result
        } catch {
            await opened.closeAll()
            throw error
        }
    }
}

public final class OpenedClients: @unchecked Sendable {
    public init() {}
    private let lock = NSLock()
    private var clients: [ZooKeeperClient] = []
    public func append(_ client: ZooKeeperClient) { lock.withLock { clients.append(client) } }
    public func closeAll() async {
        for client in lock.withLock({ clients }) { _ = try? await client.close() }
    }
}

/// Waits for the next element of a sequence, failing after `timeout`.
public func next<S: AsyncSequence & Sendable>(
    _ sequence: S, within timeout: Duration = .seconds(10), fileID: String = #fileID, line: Int = #line
) async throws -> S.Element? where S.Element: Sendable {
    try await withTimeout(timeout, waitingFor: "the next element", fileID: fileID, line: line) {
        var iterator = sequence.makeAsyncIterator()
        return try await iterator.next()
    }
}

/// Runs `body`, failing with a ``TimeoutError`` that names the place and `what` when it takes
/// longer than `timeout` (`body` is cancelled then).
public func withTimeout<T: Sendable>(
    _ timeout: Duration, waitingFor what: String, fileID: String = #fileID, line: Int = #line,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw TimeoutError(after: timeout, waitingFor: what, fileID: fileID, line: line)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// A wait ran out: says where the test waited, for what and how long.
public struct TimeoutError: Error, CustomStringConvertible {
    public var description: String

    public init(after timeout: Duration, waitingFor what: String, fileID: String = #fileID, line: Int = #line) {
        description = "waited \(timeout) at \(fileID):\(line) for \(what)"
    }
}

/// Waits until `condition` holds, polling, failing after `timeout` with an error that names the
/// place and `what` (evaluated then: it can tell the state that was reached). The default is
/// generous because it only bounds a failure: under `make test-under-load`, a condition checked
/// by starting a `zk` process once took longer than the 15 s it used to be.
public func eventually(
    within timeout: Duration = .seconds(60), waitingFor what: @autoclosure () -> String = "a condition",
    fileID: String = #fileID, line: Int = #line, _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw TimeoutError(after: timeout, waitingFor: what(), fileID: fileID, line: line)
}

extension String {
    public var bytes: [UInt8] { Array(utf8) }
}

/// Collects a sequence's elements until `done` holds for what was collected, failing after `timeout`.
public func collect<S: AsyncSequence & Sendable>(
    _ sequence: S, within timeout: Duration = .seconds(20), fileID: String = #fileID, line: Int = #line,
    until done: @escaping @Sendable ([S.Element]) -> Bool
) async throws -> [S.Element] where S.Element: Sendable {
    try await withTimeout(timeout, waitingFor: "enough elements", fileID: fileID, line: line) {
        var collected: [S.Element] = []
        for try await element in sequence {
            collected.append(element)
            if done(collected) { break }
        }
        return collected
    }
}
