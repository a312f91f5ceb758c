import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
import ZooKeeper
import ZooKeeperProtocol
import ZooKeeperTestSupport

/// Protocol paths a real server rarely takes, driven by a scripted server or a stalling proxy.
@Suite(.timeLimit(.minutes(3))) struct ProtocolEdgeTests {
    /// Answers getData with "ok" data; pings with a ping reply.
    static let echoScript: ScriptedServer.Script = { header, _, _ in
        switch header.opCode {
        case .ping: [ScriptedServer.reply(xid: SpecialXid.ping, zxid: 0, EmptyResponse())]
        case .closeSession: [ScriptedServer.reply(xid: header.xid, EmptyResponse())]
        default: [ScriptedServer.reply(xid: header.xid, GetDataResponse(data: Array("ok".utf8), stat: Stat()))]
        }
    }

    static func configuration() -> ZooKeeperClient.Configuration {
        var configuration = ZooKeeperClient.Configuration()
        configuration.sessionTimeout = .seconds(4)
        configuration.connectTimeout = .seconds(10)
        return configuration
    }

    @Test(arguments: [nil, false, true] as [Bool?])
    func connectResponsesWithAndWithoutTheReadOnlyFlagAreAccepted(_ flag: Bool?) async throws {
        let server = try await ScriptedServer.start(
            connectResponse: { _ in ScriptedServer.connectResponse(sessionID: 77, readOnlyFlag: flag) },
            script: Self.echoScript)
        defer { server.stop() }
        var configuration = Self.configuration()
        configuration.allowReadOnly = true
        let zk = try await ZooKeeperClient.connect("127.0.0.1:\(server.port)", configuration: configuration)
        let session = try await zk.session()
        #expect(session.id == 77)
        #expect(session.timeout == .milliseconds(4000))
        #expect(session.state == (flag == true ? .connectedReadOnly : .connected))
        #expect(try await zk.getData("/x").data == Array("ok".utf8))
        try await zk.close()
    }

    @Test func aReplyWithTheWrongXidDropsTheConnectionAndTheSessionResumes() async throws {
        let server = try await ScriptedServer.start(
            connectResponse: { _ in ScriptedServer.connectResponse(sessionID: 5, readOnlyFlag: false) },
            script: { header, body, connection in
                if connection == 1 && header.opCode == .getData {
                    return [ScriptedServer.reply(xid: header.xid + 1000, GetDataResponse(data: [], stat: Stat()))]
                }
                return Self.echoScript(header, body, connection)
            })
        defer { server.stop() }
        let zk = try await ZooKeeperClient.connect("127.0.0.1:\(server.port)", configuration: Self.configuration())
        await #expect(throws: ZooKeeperError(.connectionLoss, "connection to the server was lost", path: "/x")) {
            try await zk.getData("/x")
        }
        try await eventually { try await zk.session().state == .connected }
        #expect(server.connectionCount == 2)
        #expect(try await zk.session().id == 5)
        #expect(try await zk.getData("/x").data == Array("ok".utf8))
        try await zk.close()
    }

    @Test func aNotificationIsDeliveredBeforeTheReplyThatFollowsIt() async throws {
        let server = try await ScriptedServer.start(
            connectResponse: { _ in ScriptedServer.connectResponse(sessionID: 6, readOnlyFlag: false) },
            script: { header, body, connection in
                guard header.opCode == .getData else { return Self.echoScript(header, body, connection) }
                // One write: the notification, then the reply that reveals the change.
                return [
                    ScriptedServer.reply(
                        xid: SpecialXid.notification, zxid: -1, WatcherEvent(type: .nodeDataChanged, path: "/x")),
                    ScriptedServer.reply(xid: header.xid, GetDataResponse(data: Array("new".utf8), stat: Stat())),
                ]
            })
        defer { server.stop() }
        let zk = try await ZooKeeperClient.connect("127.0.0.1:\(server.port)", configuration: Self.configuration())
        let events = zk.events()
        #expect(try await zk.getData("/x").data == Array("new".utf8))
        // Already buffered when the reply returned.
        #expect(try await next(events, within: .milliseconds(200)) == WatchedEvent(type: .nodeDataChanged, path: "/x"))
        try await zk.close()
    }

    /// A request cancelled at any moment (before, while or after it is handed to the client's
    /// loop) ends with CancellationError, although no reply ever comes and requests have no time
    /// limit. A cancellation that reached the loop before its request did was lost: the task
    /// waited as long as the session lasted.
    @Test func aRequestCancelledAtAnyMomentEnds() async throws {
        // A long session: a busy machine must not drop the connection (which would end the
        // requests otherwise).
        let session = ScriptedServer.connectResponse(sessionID: 9, timeout: 60_000, readOnlyFlag: false)
        let server = try await ScriptedServer.start(
            connectResponse: { _ in session },
            script: { header, body, connection in
                header.opCode == .getData ? [] : Self.echoScript(header, body, connection)
            })
        defer { server.stop() }
        // A loop of its own, so that the other tests' loops do not carry this test's thousands of
        // requests and cancellations.
        let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { loop.shutdownGracefully { _ in } }
        // Unanswered requests stay pending, and each cancellation looks through its client's: a
        // client per 500 rounds keeps that short in a debug build.
        var connected: [ZooKeeperClient] = []
        for _ in 0..<6 {
            connected.append(
                try await ZooKeeperClient.connect(
                    "127.0.0.1:\(server.port)", configuration: Self.configuration(), eventLoopGroup: loop))
        }
        let clients = connected
        let rounds = 3000
        let ended = Counter()
        // Started and cancelled from a thread of the test's own: waiting for each task to start
        // on a thread of the shared pool would hold that thread from every other test meanwhile.
        // Each task's outcome is nil for CancellationError.
        let tasks = await withCheckedContinuation { (done: CheckedContinuation<[Task<String?, Never>], Never>) in
            Thread {
                var tasks: [Task<String?, Never>] = []
                for round in 0..<rounds {
                    let zk = clients[round * clients.count / rounds]
                    let started = DispatchSemaphore(value: 0)
                    let task = Task.detached { () -> String? in
                        defer { ended.increment() }
                        started.signal()
                        do {
                            // Single requests and batches (a batch's requests are cancelled together).
                            if round % 4 == 0 {
                                _ = try await zk.getData(["/x", "/y"])
                            } else {
                                _ = try await zk.getData("/x")
                            }
                            return "a reply"
                        } catch {
                            if error is CancellationError { return nil }
                            return "\(error)"
                        }
                    }
                    // Soon after the task starts (or 1 ms without its start), after a varying
                    // pause: some cancellations land as the request is handed to the client's loop.
                    _ = started.wait(timeout: .now() + .milliseconds(1))
                    let until = ContinuousClock.now + .nanoseconds(Int.random(in: 0..<10_000))
                    while ContinuousClock.now < until {}
                    task.cancel()
                    tasks.append(task)
                }
                done.resume(returning: tasks)
            }.start()
        }
        try await eventually(waitingFor: "\(rounds - ended.value) of \(rounds) cancelled requests still waiting") {
            ended.value == rounds
        }
        for task in tasks {
            let outcome = await task.value
            #expect(outcome == nil, "a cancelled request ended with \(outcome ?? "")")
        }
        await withTaskGroup(of: Void.self) { group in
            for zk in clients { group.addTask { _ = try? await zk.close() } }
        }
    }

    @Test func aRequestWithoutReplyTimesOutAndTheSessionStaysUp() async throws {
        let server = try await ScriptedServer.start(
            connectResponse: { _ in ScriptedServer.connectResponse(sessionID: 9, readOnlyFlag: false) },
            script: { header, body, connection in
                // getData on /slow is never answered.
                var path = body
                if header.opCode == .getData, (try? path.readJuteString()) == "/slow" { return [] }
                return Self.echoScript(header, body, connection)
            })
        defer { server.stop() }
        var configuration = Self.configuration()
        configuration.requestTimeout = .milliseconds(300)
        let zk = try await ZooKeeperClient.connect("127.0.0.1:\(server.port)", configuration: configuration)
        // It times out with its own error rather than waiting for ever (a hang would hit the
        // suite's time limit).
        let error = await #expect(throws: ZooKeeperError.self) { try await zk.getData("/slow") }
        #expect(error?.code == .operationTimeout)
        #expect(error?.path == "/slow")
        #expect(try await zk.session().state == .connected)
        try await zk.close()
    }

    @Test func anIdleSessionPings() async throws {
        let pings = Counter()
        let server = try await ScriptedServer.start(
            connectResponse: { _ in ScriptedServer.connectResponse(sessionID: 8, timeout: 6000, readOnlyFlag: false) },
            script: { header, body, connection in
                if header.opCode == .ping { pings.increment() }
                return Self.echoScript(header, body, connection)
            })
        defer { server.stop() }
        let zk = try await ZooKeeperClient.connect("127.0.0.1:\(server.port)", configuration: Self.configuration())
        // Pings while idle (a 6 s session: a busy machine does not starve it past its 4 s read
        // timeout), on the connection it started with.
        try await eventually(within: .seconds(60)) { pings.value >= 3 }
        #expect(server.connectionCount == 1)
        try await zk.close()
    }

    @Test func aSilentServerIsDetectedWithinTheReadTimeoutAndTheSessionResumes() async throws {
        let upstream = try await SharedApacheZooKeeper.connectString()
        let proxy = try await TCPProxy.start(upstreamPort: Int(upstream.split(separator: ":").last!)!)
        defer { proxy.stop() }
        let zk = try await ZooKeeperClient.connect(
            "127.0.0.1:\(proxy.port)", configuration: SharedApacheZooKeeper.configuration(sessionTimeout: .seconds(12)))
        let before = try await zk.session()
        proxy.stall()
        // Detected within the 12 s session timeout (the read timeout is two thirds of it), so
        // the session can still be resumed.
        try await eventually(within: .seconds(12)) { try await zk.session().state == .suspended }
        // The path heals; the attempt that began while it was dead is dropped, so the client
        // retries at once, well within the session's lifetime.
        proxy.unstall()
        proxy.block()
        proxy.unblock()
        try await eventually(within: .seconds(10)) { try await zk.session().state == .connected }
        #expect(try await zk.session().id == before.id)
        try await zk.close()
    }
}

final class Counter: Sendable {
    private let count = NIOLockedValueBox(0)
    func increment() { count.withLockedValue { $0 += 1 } }
    var value: Int { count.withLockedValue { $0 } }
}
