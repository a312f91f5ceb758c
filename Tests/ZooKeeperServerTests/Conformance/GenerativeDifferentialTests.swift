import Foundation
import Testing
import ZooKeeper
import ZooKeeperServer
import ZooKeeperTestSupport

/// Seeded random sequences of operations from several sessions, run against Apache ZooKeeper 3.8
/// and the embedded server: every reply, stat, zxid, error and each session's events must be the
/// same. On a difference the sequence is shrunk to a shortest reproducer, printed with its seed.
///
/// Sessions reach the servers through a proxy, which a sequence may cut while another session
/// changes nodes, so the clients' reconnection (setWatches with the missed changes) is compared
/// too.
///
/// `make test` runs `DIFF_SEQUENCES` sequences (100 by default); `make fuzz-diff N=100000` runs
/// long. Both servers stay up for the whole run; each sequence works under a chroot of its own and
/// shows zxids relative to that chroot's creation, so sequences do not see each other.
// The time limit allows `make fuzz-diff`'s long runs; every request has a timeout of its own.
@Suite(.timeLimit(.minutes(720))) struct GenerativeDifferentialTests {
    @Test func randomSequencesBehaveAsOnApache() async throws {
        let environment = ProcessInfo.processInfo.environment
        let count = environment["DIFF_SEQUENCES"].flatMap(Int.init) ?? 100
        let firstSeed = environment["DIFF_SEED"].flatMap(UInt64.init) ?? 1
        var configuration = ZooKeeperServer.Configuration(port: 0)
        configuration.fourLetterWordWhitelist = ["*"]
        try await ApacheZooKeeper.with(tickTime: 2000) { apache in
            try await ZooKeeperServer.withServer(configuration: configuration) { ours in
                let runner = try await Runner(apache: apache.connectString, ours: ours.connectString)
                for seed in firstSeed..<firstSeed + UInt64(count) {
                    var random = SeededGenerator(seed: seed)
                    let operations = (0..<Int.random(in: 5...40, using: &random)).map { _ in
                        DiffOperation.random(using: &random)
                    }
                    guard let difference = try await runner.difference(operations) else { continue }
                    let shortest = try await runner.shrink(operations)
                    Issue.record(
                        """
                        seed \(seed): the servers differ (DIFF_SEED=\(seed) DIFF_SEQUENCES=1 runs it again)
                        \(difference)
                        shortest sequence that shows it (\(shortest.count) of \(operations.count) operations):
                        \(shortest.map { "  " + $0.description }.joined(separator: "\n"))
                        \(try await runner.difference(shortest) ?? "(the shortest sequence no longer differs)")
                        """)
                    return
                }
                await runner.close()
            }
        }
    }
}

extension GenerativeDifferentialTests {
    /// Runs a fixed sequence on fresh servers and expects the same transcript from both.
    func expectSameOnBoth(_ operations: [DiffOperation]) async throws {
        var configuration = ZooKeeperServer.Configuration(port: 0)
        configuration.fourLetterWordWhitelist = ["*"]
        try await ApacheZooKeeper.with(tickTime: 2000) { apache in
            try await ZooKeeperServer.withServer(configuration: configuration) { ours in
                let runner = try await Runner(apache: apache.connectString, ours: ours.connectString)
                let difference = try await runner.difference(operations)
                #expect(difference == nil, "\(difference ?? "")")
                await runner.close()
            }
        }
    }

    /// A fixed sequence through the same machinery: watches of every kind set, every session cut
    /// off while their nodes change, created and deleted; on reconnection setWatches reports
    /// what each watch missed, in the same order on both servers.
    @Test func reconnectionReportsWhatWatchesMissed() async throws {
        try await expectSameOnBoth([
            .create(session: 0, path: "/a", data: "1", mode: .persistent, acl: .open),
            .create(session: 0, path: "/e", data: "1", mode: .persistent, acl: .open),
            .getData(session: 0, path: "/a", watch: true),
            .getChildren(session: 1, path: "/a", watch: true),
            .exists(session: 2, path: "/g", watch: true),
            .getData(session: 1, path: "/e", watch: true),
            .addWatch(session: 2, path: "/e", recursive: true),
            .cutOff(writes: [.setData("/a", -1), .create("/a/b", .persistent), .create("/g", .persistent)]),
            .cutOff(writes: [.delete("/e", -1)]),
        ])
    }
}

extension GenerativeDifferentialTests {
    /// A fixed sequence with an expiry: the expired session's ephemeral nodes go while the
    /// sessions are cut off, the others learn it on reconnection, the client is told its session
    /// expired; the same on both servers.
    @Test func anExpiredSessionsNodesGoAndTheOthersWatchesFire() async throws {
        try await expectSameOnBoth([
            .create(session: 0, path: "/a", data: "1", mode: .ephemeral, acl: .open),
            .create(session: 0, path: "/e", data: "1", mode: .persistent, acl: .open),
            .create(session: 0, path: "/e/f", data: "1", mode: .ephemeralSequential, acl: .open),
            .getData(session: 1, path: "/a", watch: true),
            .getChildren(session: 1, path: "/e", watch: true),
            .addWatch(session: 2, path: "/e", recursive: true),
            .expire(session: 0),
            .exists(session: 1, path: "/a", watch: false),
            .getChildren(session: 2, path: "/e", watch: false),
            .create(session: 0, path: "/a", data: "2", mode: .ephemeral, acl: .open),
            .getEphemerals(session: 0),
        ])
    }
}

/// One operation of a sequence: which session does what. Paths come from a small namespace so
/// that operations meet each other (and fail in every way).
enum DiffOperation: CustomStringConvertible, Sendable {
    case create(session: Int, path: String, data: String, mode: CreateMode, acl: Access)
    case delete(session: Int, path: String, version: Int32)
    case setData(session: Int, path: String, data: String, version: Int32)
    case exists(session: Int, path: String, watch: Bool)
    case getData(session: Int, path: String, watch: Bool)
    case getChildren(session: Int, path: String, watch: Bool)
    case addWatch(session: Int, path: String, recursive: Bool)
    case removeWatches(session: Int, path: String, type: WatcherType)
    case checkWatches(session: Int, path: String, type: WatcherType)
    case multi(session: Int, [Step])
    case multiRead(session: Int, paths: [String])
    case setACL(session: Int, path: String, acl: Access, version: Int32)
    case getACL(session: Int, path: String)
    case sync(session: Int, path: String)
    case getEphemerals(session: Int)
    case countChildren(session: Int, path: String)
    /// Closes the session and opens another in its place (same credentials).
    case reopen(session: Int)
    /// Ends the session from elsewhere while it is cut off, so that it finds it expired when it
    /// reconnects; another takes its place.
    case expire(session: Int)
    /// Cuts every session's connection; while they are away another session makes these
    /// changes; then lets them reconnect, when setWatches reports what their watches missed.
    case cutOff(writes: [Step])

    /// The ACLs a node can get: open, alice's (digest), or read-only for everyone.
    enum Access: String, CaseIterable, Sendable {
        case open, alice, readOnly

        var acl: [ACL] {
            switch self {
            case .open: ACL.openUnsafe
            case .alice: [.digest(user: "alice", password: "pw")]
            case .readOnly: ACL.readUnsafe
            }
        }
    }

    /// One operation of a multi.
    enum Step: CustomStringConvertible, Sendable {
        case create(String, CreateMode), delete(String, Int32), setData(String, Int32), check(String, Int32)

        var operation: ZooKeeperClient.Operation {
            switch self {
            case .create(let path, let mode): .create(path, data: "m", mode: mode)
            case .delete(let path, let version): .delete(path, version: version)
            case .setData(let path, let version): .setData(path, data: "m", version: version)
            case .check(let path, let version): .check(path, version: version)
            }
        }

        var description: String {
            switch self {
            case .create(let path, let mode): "create \(path) \(mode)"
            case .delete(let path, let version): "delete \(path) v\(version)"
            case .setData(let path, let version): "setData \(path) v\(version)"
            case .check(let path, let version): "check \(path) v\(version)"
            }
        }
    }

    static let paths = ["/a", "/a/b", "/a/b/c", "/a/d", "/e", "/e/f", "/g"]
    static let sessions = 3

    static func random(using random: inout SeededGenerator) -> DiffOperation {
        func path() -> String { paths.randomElement(using: &random)! }
        func version() -> Int32 { [-1, -1, 0, 1, 2].randomElement(using: &random)! }
        func watchType() -> WatcherType { [.children, .data, .any].randomElement(using: &random)! }
        let session = Int.random(in: 0..<sessions, using: &random)
        let modes: [CreateMode] = [.persistent, .persistent, .ephemeral, .persistentSequential, .ephemeralSequential]
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<25:
            return .create(
                session: session, path: path(), data: "d\(Int.random(in: 0..<10, using: &random))",
                mode: modes.randomElement(using: &random)!,
                acl: Int.random(in: 0..<5, using: &random) == 0 ? Access.allCases.randomElement(using: &random)! : .open
            )
        case 25..<35: return .delete(session: session, path: path(), version: version())
        case 35..<45:
            return .setData(
                session: session, path: path(), data: "v\(Int.random(in: 0..<10, using: &random))", version: version())
        case 45..<52: return .exists(session: session, path: path(), watch: Bool.random(using: &random))
        case 52..<59: return .getData(session: session, path: path(), watch: Bool.random(using: &random))
        case 59..<66: return .getChildren(session: session, path: path(), watch: Bool.random(using: &random))
        case 66..<70: return .addWatch(session: session, path: path(), recursive: Bool.random(using: &random))
        case 70..<74: return .removeWatches(session: session, path: path(), type: watchType())
        case 74..<77: return .checkWatches(session: session, path: path(), type: watchType())
        case 77..<83:
            let steps = (0..<Int.random(in: 1...3, using: &random)).map { _ -> Step in
                switch Int.random(in: 0..<4, using: &random) {
                case 0: .create(path(), Bool.random(using: &random) ? .persistent : .ephemeral)
                case 1: .delete(path(), version())
                case 2: .setData(path(), version())
                default: .check(path(), version())
                }
            }
            return .multi(session: session, steps)
        case 83..<86: return .multiRead(session: session, paths: [path(), path()])
        case 86..<89:
            return .setACL(
                session: session, path: path(), acl: Access.allCases.randomElement(using: &random)!,
                version: version())
        case 89..<91: return .getACL(session: session, path: path())
        case 91..<92: return .sync(session: session, path: path())
        case 92..<93: return .getEphemerals(session: session)
        case 93..<94: return .countChildren(session: session, path: path())
        case 94..<98:
            return .cutOff(
                writes: (0..<Int.random(in: 1...3, using: &random)).map { _ -> Step in
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0: .create(path(), .persistent)
                    case 1: .delete(path(), -1)
                    default: .setData(path(), -1)
                    }
                })
        case 98: return .reopen(session: session)
        default: return .expire(session: session)
        }
    }

    var session: Int {
        switch self {
        case .create(let session, _, _, _, _), .delete(let session, _, _), .setData(let session, _, _, _),
            .exists(let session, _, _), .getData(let session, _, _), .getChildren(let session, _, _),
            .addWatch(let session, _, _), .removeWatches(let session, _, _), .checkWatches(let session, _, _),
            .multi(let session, _), .multiRead(let session, _), .setACL(let session, _, _, _),
            .getACL(let session, _), .sync(let session, _), .getEphemerals(let session),
            .countChildren(let session, _), .reopen(let session), .expire(let session):
            session
        case .cutOff: 0
        }
    }

    var description: String {
        let who = "S\(session + 1)"
        switch self {
        case .create(_, let path, let data, let mode, let acl): return "\(who) create \(path) \(data) \(mode) \(acl)"
        case .delete(_, let path, let version): return "\(who) delete \(path) v\(version)"
        case .setData(_, let path, let data, let version): return "\(who) setData \(path) \(data) v\(version)"
        case .exists(_, let path, let watch): return "\(who) exists \(path)\(watch ? " watch" : "")"
        case .getData(_, let path, let watch): return "\(who) getData \(path)\(watch ? " watch" : "")"
        case .getChildren(_, let path, let watch): return "\(who) getChildren \(path)\(watch ? " watch" : "")"
        case .addWatch(_, let path, let recursive):
            return "\(who) addWatch \(path) \(recursive ? "persistentRecursive" : "persistent")"
        case .removeWatches(_, let path, let type): return "\(who) removeWatches \(path) \(type.rawValue)"
        case .checkWatches(_, let path, let type): return "\(who) checkWatches \(path) \(type.rawValue)"
        case .multi(_, let steps): return "\(who) multi [\(steps.map(\.description).joined(separator: ", "))]"
        case .multiRead(_, let paths): return "\(who) multiRead \(paths)"
        case .setACL(_, let path, let acl, let version): return "\(who) setACL \(path) \(acl) v\(version)"
        case .getACL(_, let path): return "\(who) getACL \(path)"
        case .sync(_, let path): return "\(who) sync \(path)"
        case .getEphemerals: return "\(who) getEphemerals"
        case .countChildren(_, let path): return "\(who) getAllChildrenNumber \(path)"
        case .reopen: return "\(who) closes and opens a new session"
        case .expire: return "\(who) expires and opens a new session"
        case .cutOff(let writes):
            return "every session cut off while another makes [\(writes.map(\.description).joined(separator: ", "))]"
        }
    }

    /// Runs the operation and records its result (or error code) in the transcript.
    func run(on sessions: Sessions, _ t: Transcript) async {
        let zk = sessions.clients[session]
        let label = description
        switch self {
        case .create(_, let path, let data, let mode, let acl):
            await t.step(label) {
                let created = try await zk.create(path, data: data, acl: acl.acl, mode: mode)
                return "\(created.path) \(t.render(created.stat))"
            }
        case .delete(_, let path, let version):
            await t.step(label) {
                try await zk.delete(path, version: version)
                return "ok"
            }
        case .setData(_, let path, let data, let version):
            await t.step(label) { t.render(try await zk.setData(path, data: data, version: version)) }
        case .exists(_, let path, let watch):
            await t.step(label) {
                let stat = watch ? try await zk.watchExists(path).stat : try await zk.exists(path)
                return stat.map(t.render) ?? "nil"
            }
        case .getData(_, let path, let watch):
            await t.step(label) {
                let node = watch ? try await zk.watchData(path).node : try await zk.getData(path)
                return "\(node.data.text) \(t.render(node.stat))"
            }
        case .getChildren(_, let path, let watch):
            await t.step(label) {
                let listing =
                    watch ? try await zk.watchChildren(path).listing : try await zk.getChildrenAndStat(path)
                return "\(listing.children) \(t.render(listing.stat))"
            }
        case .addWatch(_, let path, let recursive):
            await t.step(label) {
                _ = try await zk.addWatch(path, mode: recursive ? .persistentRecursive : .persistent)
                return "ok"
            }
        case .removeWatches(_, let path, let type):
            await t.step(label) {
                try await zk.removeWatches(path, type: type)
                return "ok"
            }
        case .checkWatches(_, let path, let type):
            await t.step(label) { "\(try await zk.checkWatches(path, type: type))" }
        case .multi(_, let steps):
            await t.step(label) { try await zk.multi(steps.map(\.operation)).map(t.render).joined(separator: "; ") }
        case .multiRead(_, let paths):
            await t.step(label) {
                let operations = paths.flatMap { [ZooKeeperClient.Operation.getData($0), .getChildren($0)] }
                return try await zk.multiRead(operations).map { result in
                    // multiRead lists children as getChildren does: in the server's order.
                    if case .getChildren(let children) = result { return "children \(children)" }
                    return t.render(result)
                }.joined(separator: "; ")
            }
        case .setACL(_, let path, let acl, let version):
            await t.step(label) { t.render(try await zk.setACL(path, acl: acl.acl, version: version)) }
        case .getACL(_, let path):
            await t.step(label) {
                let current = try await zk.getACL(path)
                return "\(current.acl.map(\.description)) \(t.render(current.stat))"
            }
        case .sync(_, let path):
            await t.step(label) {
                try await zk.sync(path)
                return "ok"
            }
        case .getEphemerals:
            await t.step(label) { "\(try await zk.getEphemerals().sorted())" }
        case .countChildren(_, let path):
            await t.step(label) { "\(try await zk.getAllChildrenNumber(path))" }
        case .reopen(let index):
            await t.step(label) {
                try await sessions.reopen(index)
                return "ok"
            }
        case .expire(let index):
            await t.step(label) { try await sessions.expire(index) }
        case .cutOff(let writes):
            await t.step(label) {
                try await sessions.cutOff { writer in
                    for step in writes {
                        do {
                            _ = try await writer.multi([step.operation])
                        } catch let error as ZooKeeperError {
                            t.note("  \(step) -> error \(error.code)")
                        }
                    }
                }
                return "ok"
            }
        }
    }
}

/// The sessions of one run: S1 without credentials, S2 as alice, S3 as bob.
final class Sessions: @unchecked Sendable {
    private(set) var clients: [ZooKeeperClient] = []
    private(set) var logs: [EventLog] = []
    let transcript: Transcript
    /// The proxy the sessions reach the server through, and the server's own address (with the
    /// run's chroot), for a session the cut does not touch.
    let proxy: TCPProxy
    let direct: String

    static let credentials: [[ZooKeeperClient.Authentication]] = [
        [], [.digest(user: "alice", password: "pw")], [.digest(user: "bob", password: "pw")],
    ]

    init(_ transcript: Transcript, proxy: TCPProxy, direct: String) async throws {
        self.transcript = transcript
        self.proxy = proxy
        self.direct = direct
        for credentials in Self.credentials {
            let (client, log) = try await transcript.connect(authentication: credentials)
            clients.append(client)
            logs.append(log)
        }
    }

    /// Cuts every session's connection and refuses new ones, runs `changes` through a session of
    /// its own meanwhile, then lets the sessions back and waits until each has reconnected (but
    /// session `expiring`, which will find its session gone).
    func cutOff(expiring: Int? = nil, _ changes: (ZooKeeperClient) async throws -> Void) async throws {
        // A round trip each first: every notification sent before has arrived (it precedes the
        // reply on the connection), and is not lost in the cut on one server only.
        for client in clients { _ = try await client.exists("/") }
        proxy.block()
        defer { proxy.unblock() }
        // Each client has seen its connection go (on a busy machine it may take a moment; a
        // client that still thinks itself connected would send its next request into the cut).
        for client in clients {
            try await eventually(within: .seconds(60)) { try await !client.session().state.isConnected }
        }
        var configuration = ZooKeeperClient.Configuration()
        configuration.connectTimeout = .seconds(20)
        configuration.requestTimeout = .seconds(20)
        let writer = try await ZooKeeperClient.connect(direct, configuration: configuration)
        do {
            try await changes(writer)
            _ = try await writer.close()
        } catch {
            _ = try? await writer.close()
            throw error
        }
        proxy.unblock()
        for (index, client) in clients.enumerated() where index != expiring {
            try await client.waitUntilConnected(timeout: .seconds(60))
            // A reply after the reconnection's setWatches: what it reported has arrived.
            _ = try await client.exists("/")
        }
    }

    /// Ends session `index` as an expiry does, the way Curator's KillSession does it: while the
    /// sessions are cut off, another connection resumes it with its credentials and closes it (its
    /// ephemeral nodes go, the others' watches fire); back, the client finds it expired. Once it
    /// has made itself a new session, that one is closed and a new client takes its place.
    /// Returns how the client saw it.
    func expire(_ index: Int) async throws -> String {
        let victim = clients[index]
        let expired = try await victim.session()
        let states = victim.states()
        try await cutOff(expiring: index) { _ in
            var configuration = ZooKeeperClient.Configuration()
            configuration.resumeSession = expired.credentials
            configuration.connectTimeout = .seconds(20)
            configuration.requestTimeout = .seconds(20)
            let killer = try await ZooKeeperClient.connect(direct, configuration: configuration)
            _ = try await killer.close()
        }
        var seen = false
        for await state in states where state == .expired {
            seen = true
            break
        }
        // The client starts a new session by itself: closed once it is there, so that both
        // servers count the same sessions (and zxids).
        try await eventually(within: .seconds(60)) {
            let session = try await victim.session()
            return session.state == .connected && session.id != expired.id && session.id != 0
        }
        try await reopen(index)
        return seen ? "expired" : "never told it expired"
    }

    /// Closes session `index` (its ephemeral nodes go, its watches end) and puts a new one in
    /// its place.
    func reopen(_ index: Int) async throws {
        logs[index].stop()
        _ = try await clients[index].close()
        let (client, log) = try await transcript.connect(authentication: Self.credentials[index])
        clients[index] = client
        logs[index] = log
    }
}

/// Runs sequences on both servers, each under a chroot of its own, and compares what they saw.
actor Runner {
    private let servers: [(connectString: String, admin: ZooKeeperClient, proxy: TCPProxy)]
    private var runs = 0

    init(apache: String, ours: String) async throws {
        var servers: [(String, ZooKeeperClient, TCPProxy)] = []
        for connectString in [apache, ours] {
            let proxy = try await TCPProxy.start(upstreamPort: Int(connectString.split(separator: ":").last!)!)
            servers.append((connectString, try await ZooKeeperClient.connect(connectString), proxy))
        }
        self.servers = servers
    }

    /// The first line where the servers' transcripts differ, or nil when they agree.
    func difference(_ operations: [DiffOperation]) async throws -> String? {
        runs += 1
        var transcripts: [[String]] = []
        for server in servers {
            transcripts.append(
                try await run(operations, on: server.connectString, admin: server.admin, proxy: server.proxy))
        }
        let (apache, ours) = (transcripts[0], transcripts[1])
        if ProcessInfo.processInfo.environment["CONFORMANCE_PRINT"] != nil {
            for (index, line) in apache.enumerated() {
                print("apache \(index + 1): \(line)\n  ours \(index + 1): \(index < ours.count ? ours[index] : "-")")
            }
        }
        for (index, (a, o)) in zip(apache, ours).enumerated() where a != o {
            return "line \(index + 1)\n  Apache ZooKeeper: \(a)\n  ours:             \(o)"
        }
        return apache.count == ours.count ? nil : "\(apache.count) lines from Apache ZooKeeper, \(ours.count) from ours"
    }

    /// A shorter sequence that still shows a difference: operations are dropped, in chunks and
    /// then one by one, as long as the servers still differ without them.
    func shrink(_ operations: [DiffOperation]) async throws -> [DiffOperation] {
        var current = operations
        var chunk = max(1, current.count / 2)
        while chunk >= 1 {
            var start = 0
            while start < current.count {
                var candidate = current
                candidate.removeSubrange(start..<min(start + chunk, current.count))
                if !candidate.isEmpty, try await difference(candidate) != nil {
                    current = candidate
                } else {
                    start += chunk
                }
            }
            chunk /= 2
        }
        return current
    }

    private func run(
        _ operations: [DiffOperation], on connectString: String, admin: ZooKeeperClient, proxy: TCPProxy
    ) async throws -> [String] {
        let root = "/run\(runs)"
        let created = try await admin.create(root)
        let transcript = Transcript(connectString: "127.0.0.1:\(proxy.port)" + root, zxidBase: created.stat.czxid)
        let sessions = try await Sessions(transcript, proxy: proxy, direct: connectString + root)
        for operation in operations { await operation.run(on: sessions, transcript) }
        // Each session's events, in order.
        for (index, log) in sessions.logs.enumerated() {
            transcript.note("S\(index + 1) events: \(try await log.drain())")
        }
        await transcript.closeAll()
        return transcript.text
    }

    func close() async {
        for server in servers {
            _ = try? await server.admin.close()
            server.proxy.stop()
        }
    }
}

extension WatchedData {
    /// The data and stat read, as a plain read returns them.
    var node: NodeData { NodeData(data: data, stat: stat) }
}

extension WatchedChildren {
    /// The children and stat read, as a plain read returns them.
    var listing: NodeChildren { NodeChildren(children: children, stat: stat) }
}
