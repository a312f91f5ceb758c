import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import Testing
import ZooKeeperProtocol
import ZooKeeperServer
import ZooKeeperTestSupport

@testable import ZooKeeper

/// Records what a scenario observes, in a form comparable across servers: results and error
/// codes, stats with exact zxids (both servers start fresh) but session ids named by order of
/// appearance and times reduced to relations.
final class Transcript: @unchecked Sendable {
    private let lock = NIOLock()
    private var lines: [String] = []
    private var sessionNames: [Int64: String] = [:]
    private var clients: [ZooKeeperClient] = []
    private var logs: [EventLog] = []
    let connectString: String
    /// Subtracted from every zxid shown: a run that does not start on a fresh server shows its
    /// zxids relative to a point both servers share.
    let zxidBase: Int64
    /// For servers on their TLS port: the client's TLS settings without and with its certificate.
    let tls: (anonymous: TLSConfiguration, certified: TLSConfiguration)?

    init(
        connectString: String, zxidBase: Int64 = 0,
        tls: (anonymous: TLSConfiguration, certified: TLSConfiguration)? = nil
    ) {
        self.connectString = connectString
        self.zxidBase = zxidBase
        self.tls = tls
    }

    var text: [String] { lock.withLock { lines } }

    /// A new client; its session gets the next name (S1, S2, ...).
    func connect(
        authentication: [ZooKeeperClient.Authentication] = [], sasl: SASLConfiguration? = nil,
        clientCertificate: Bool = false
    ) async throws -> (ZooKeeperClient, EventLog) {
        var configuration = ZooKeeperClient.Configuration()
        configuration.sessionTimeout = .seconds(30)
        configuration.connectTimeout = .seconds(20)
        configuration.requestTimeout = .seconds(20)
        configuration.authentication = authentication
        configuration.sasl = sasl
        configuration.tls = clientCertificate ? tls?.certified : tls?.anonymous
        let client = try await ZooKeeperClient.connect(connectString, configuration: configuration)
        let session = try await client.session().id
        let log = EventLog(client: client, transcript: self)
        lock.withLock {
            sessionNames[session] = "S\(sessionNames.count + 1)"
            clients.append(client)
            logs.append(log)
        }
        return (client, log)
    }

    func closeAll() async {
        for log in lock.withLock({ logs }) { log.stop() }
        for client in lock.withLock({ clients }) { _ = try? await client.close() }
    }

    func note(_ line: String) {
        lock.withLock { lines.append(line) }
    }

    /// Runs one step and records its result or error code.
    func step(_ label: String, _ body: () async throws -> String) async {
        do {
            note("\(label) -> \(try await body())")
        } catch let error as ZooKeeperError {
            note("\(label) -> error \(error.code)")
        } catch {
            note("\(label) -> failure \(error)")
        }
    }

    func session(_ id: Int64) -> String {
        id == 0 ? "0" : lock.withLock { sessionNames[id] ?? "S?" }
    }

    func render(_ stat: Stat) -> String {
        // Times differ between runs: only their sanity is compared.
        "czxid=\(stat.czxid - zxidBase) mzxid=\(stat.mzxid - zxidBase) pzxid=\(stat.pzxid - zxidBase)"
            + " times=\(stat.mtime >= stat.ctime ? "ok" : "bad")"
            + " version=\(stat.version) cversion=\(stat.cversion) aversion=\(stat.aversion)"
            + " owner=\(session(stat.ephemeralOwner)) length=\(stat.dataLength) children=\(stat.numChildren)"
    }

    func render(_ result: MultiResult) -> String {
        switch result {
        case .create(let path): "create \(path)"
        case .create2(let path, let stat): "create2 \(path) \(render(stat))"
        case .delete: "delete"
        case .setData(let stat): "setData \(render(stat))"
        case .check: "check"
        case .getChildren(let children): "children \(children.sorted())"
        case .getData(let data, let stat):
            "data \(data.map { String(decoding: $0, as: UTF8.self) } ?? "null") \(render(stat))"
        case .error(let code): "error \(code)"
        }
    }
}

/// The notifications one client received, in order.
final class EventLog: @unchecked Sendable {
    private let lock = NIOLock()
    private var events: [WatchedEvent] = []
    private var task: Task<Void, Never>?
    private let client: ZooKeeperClient

    init(client: ZooKeeperClient, transcript: Transcript) {
        self.client = client
        let stream = client.events()
        task = Task { [weak self] in
            for await event in stream { self?.lock.withLock { self?.events.append(event) } }
        }
    }

    func stop() { task?.cancel() }

    /// Everything received so far: a round trip first, since a notification precedes any later
    /// reply on the connection; then until the log has been quiet for a moment.
    func drain() async throws -> String {
        _ = try await client.exists("/")
        var count = -1
        while true {
            let now = lock.withLock { events.count }
            if now == count { break }
            count = now
            try await Task.sleep(for: .milliseconds(40))
        }
        let drained = lock.withLock {
            defer { events = [] }
            return events
        }
        return drained.isEmpty ? "no events" : drained.map { "\($0.type) \($0.path)" }.joined(separator: ", ")
    }
}

/// Runs `scenario` against a fresh Apache ZooKeeper and a fresh embedded server and expects the
/// same transcript from both. `superDigest` (`user:base64(sha1(user:password))`) configures a
/// super user on both; `sasl` SASL DIGEST-MD5 logins for ``ApacheZooKeeper/saslUsers``, required
/// of every client with `.required`.
func expectSameBehaviour(
    extendedTypes: Bool = false,
    superDigest: String? = nil,
    sasl: SASLLogins = .none,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ scenario: @Sendable (Transcript) async throws -> Void
) async throws {
    var properties = extendedTypes ? ["-Dzookeeper.extendedTypesEnabled=true"] : []
    if let superDigest { properties.append("-Dzookeeper.DigestAuthenticationProvider.superDigest=\(superDigest)") }
    let apache =
        sasl == .none
        ? try await ApacheZooKeeper.with(tickTime: 2000, extraProperties: properties) { cluster in
            try await run(scenario, on: cluster.connectString)
        }
        : try await ApacheZooKeeper.withSASL(
            tickTime: 2000, requireClientSASLAuth: sasl == .required, extraProperties: properties
        ) { cluster in
            try await run(scenario, on: cluster.connectString)
        }
    // Ours keeps a data directory (Apache ZooKeeper's format): started again on it, it must hold
    // the tree the scenario left.
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zk-diff-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var configuration = ZooKeeperServer.Configuration(port: 0)
    configuration.extendedTypesEnabled = extendedTypes
    configuration.superDigest = superDigest
    configuration.saslUsers = sasl == .none ? nil : ApacheZooKeeper.saslUsers
    configuration.requireClientSASLAuth = sasl == .required
    configuration.dataDirectory = directory
    let (ours, left) = try await ZooKeeperServer.withServer(configuration: configuration) { server in
        (try await run(scenario, on: server.connectString), try await treeDump(server.connectString, sasl: sasl))
    }
    let recovered = try await ZooKeeperServer.withServer(configuration: configuration) { server in
        try await treeDump(server.connectString, sasl: sasl)
    }
    expectSameLines(left, recovered, what: "node after a restart on the data directory", sourceLocation: sourceLocation)
    if ProcessInfo.processInfo.environment["CONFORMANCE_PRINT"] != nil {
        for (index, line) in apache.enumerated() {
            print("apache \(index + 1): \(line)\n  ours \(index + 1): \(index < ours.count ? ours[index] : "-")")
        }
    }
    expectSameLines(apache, ours, what: "step", sourceLocation: sourceLocation)
}

/// Whether the servers of ``expectSameBehaviour(extendedTypes:superDigest:sasl:sourceLocation:_:)``
/// take SASL logins.
enum SASLLogins {
    case none
    /// Offered to clients that want them.
    case offered
    /// Required of every client (`zookeeper.sessionRequireClientSASLAuth`).
    case required
}

/// Every node a new session can read, with its data, ACL and stat, or the error reading it gave.
func treeDump(_ connectString: String, sasl: SASLLogins) async throws -> [String] {
    var configuration = ZooKeeperClient.Configuration()
    if sasl == .required {
        configuration.sasl = .digestMD5(username: "alice", password: ApacheZooKeeper.saslUsers["alice"]!)
    }
    let zk = try await ZooKeeperClient.connect(connectString, configuration: configuration)
    var lines: [String] = []
    var pending = ["/"]
    while let path = pending.popLast() {
        do {
            let node = try await zk.getData(path)
            let acl = try await zk.getACL(path).acl
            lines.append("\(path) \(node.data) \(acl) \(node.stat)")
            let children = try await zk.getChildren(path).sorted(by: >)
            pending += children.map { path == "/" ? "/" + $0 : path + "/" + $0 }
        } catch let error as ZooKeeperError {
            lines.append("\(path) \(error.code)")
        }
    }
    try await zk.close()
    return lines
}

/// Runs `scenario` on a fresh transcript of the server at `connectString` and returns it.
func run(
    _ scenario: @Sendable (Transcript) async throws -> Void, on connectString: String,
    tls: (anonymous: TLSConfiguration, certified: TLSConfiguration)? = nil
) async throws -> [String] {
    let transcript = Transcript(connectString: connectString, tls: tls)
    do {
        try await scenario(transcript)
    } catch {
        transcript.note("scenario threw \(error)")
    }
    await transcript.closeAll()
    return transcript.text
}

extension String {
    var utf8Bytes: [UInt8] { Array(utf8) }
}

extension Array where Element == UInt8 {
    var text: String { String(decoding: self, as: UTF8.self) }
}
