import Foundation
import Testing
import ZooKeeper
import ZooKeeperServer
import ZooKeeperTestSupport

@testable import ZooKeeperShell

/// `zk watch` through an outage, as a process connected through a proxy: it says on stderr (in
/// JSON lines on stdout with --json) when the connection is lost, when it is back, when the
/// session expired and when the watch is set again, and events still arrive afterwards.
@Suite(.timeLimit(.minutes(4))) struct WatchOutageTests {
    /// A `zk` process running in the background, its output collected as it comes.
    final class Running {
        let process: Process
        let stdout = Printed()
        let stderr = Printed()

        init(_ arguments: [String]) throws {
            process = Process()
            process.executableURL = ServeCommandTests.zk
            process.arguments = arguments
            process.environment = ShellCommandTests.environment()
            process.standardOutput = Self.collect(into: stdout)
            process.standardError = Self.collect(into: stderr)
            try process.run()
        }

        /// A pipe whose output is appended to `printed` as it comes.
        private static func collect(into printed: Printed) -> Pipe {
            let pipe = Pipe()
            pipe.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                // At the end of the output, stop reading (or the handler is called forever).
                if data.isEmpty { handle.readabilityHandler = nil } else { printed.append(data) }
            }
            return pipe
        }

        var errorLines: [String] { stderr.text.split(separator: "\n").map(String.init) }

        /// The JSON lines printed so far, their values as text.
        var objects: [[String: String]] {
            stdout.text.split(separator: "\n").map { line in
                ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?.mapValues { "\($0)" }
                    ?? ["unreadable": "\(line)"]
            }
        }

        /// An event's type and path (its other fields, the node's data and stat, left out).
        static func event(_ object: [String: String]) -> [String: String] {
            object.filter { $0.key == "type" || $0.key == "path" }
        }

        func stop() async {
            if process.isRunning { process.terminate() }
            await ChildProcess.waitUntilExit(process)
        }

        deinit {
            if process.isRunning { process.terminate() }
        }
    }

    /// Runs `body` with a server, a connect string through a proxy to it, a client connected to
    /// it directly, and the server's path of the client's "/" (Apache: a chroot of the test's own).
    static func withProxiedServer(
        _ target: ShellTarget,
        _ body: (_ proxied: String, _ proxy: TCPProxy, _ zk: ZooKeeperClient, _ root: String) async throws -> Void
    ) async throws {
        func run(_ address: String) async throws {
            let (hosts, root) = (address.prefix { $0 != "/" }, String(address.drop { $0 != "/" }))
            let proxy = try await TCPProxy.start(upstreamPort: Int(hosts.split(separator: ":").last!)!)
            defer { proxy.stop() }
            let zk = try await ZooKeeperClient.connect(address, configuration: SharedApacheZooKeeper.configuration())
            do {
                try await body("127.0.0.1:\(proxy.port)" + root, proxy, zk, root)
            } catch {
                _ = try? await zk.close()
                throw error
            }
            try await zk.close()
        }
        switch target {
        case .embedded:
            // Sessions of up to a minute (the outage must not expire them), 200 ms ticks.
            var configuration = ZooKeeperServer.Configuration(port: 0)
            configuration.tickTime = .milliseconds(200)
            configuration.maxSessionTimeout = .seconds(60)
            configuration.fourLetterWordWhitelist = ["*"]
            try await ZooKeeperServer.withServer(configuration: configuration) { try await run($0.connectString) }
        case .apache:
            let hosts = try await SharedApacheZooKeeper.connectString()
            let admin = try await ZooKeeperClient.connect(hosts, configuration: SharedApacheZooKeeper.configuration())
            let root = "/watch-\(UUID().uuidString.prefix(8))"
            try await admin.create(root)
            try await admin.close()
            try await run(hosts + root)
        }
    }

    /// The sessions of the connections that reach the server through `proxy`, by the server's `cons`.
    static func sessions(through proxy: TCPProxy) async throws -> Set<String> {
        let ports = Set(proxy.upstreamLocalPorts)
        let cons = try await ShellCommandTests.zk(["-s", "127.0.0.1:\(proxy.upstreamPort)", "4lw", "cons"]).text
        return Set(
            cons.split(separator: "\n").compactMap { line in
                guard let port = line.firstMatch(of: /:(\d+)\[/).flatMap({ Int($0.1) }), ports.contains(port),
                    let session = line.firstMatch(of: /sid=(0x[0-9a-f]+)/)
                else { return nil }
                return String(session.1)
            })
    }

    /// Which of `sessions` the server still has, by its `dump` (its session tracker's sets).
    static func alive(_ sessions: Set<String>, through proxy: TCPProxy) async throws -> Set<String> {
        let dump = try await ShellCommandTests.zk(["-s", "127.0.0.1:\(proxy.upstreamPort)", "4lw", "dump"]).text
        let listed = Set(dump.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        return sessions.filter { listed.contains($0) }
    }

    /// How many sessions watch `path` (a server path), by the server's `wchp`.
    static func watchers(of path: String, through proxy: TCPProxy) async throws -> Int {
        let server = "127.0.0.1:\(proxy.upstreamPort)"
        let lines = try await ShellCommandTests.zk(["-s", server, "4lw", "wchp"]).text.split(separator: "\n")
        guard let start = lines.firstIndex(of: Substring(path)) else { return 0 }
        return lines[(start + 1)...].prefix { $0.hasPrefix("\t") }.count
    }

    @Test(arguments: ShellTarget.allCases)
    func aLostConnectionIsSaidAndTheWatchGoesOnAfterTheReconnect(_ target: ShellTarget) async throws {
        try await Self.withProxiedServer(target) { proxied, proxy, zk, root in
            try await zk.create("/w")
            let text = try Running(["-s", proxied, "--timeout", "30", "watch", "/w"])
            let json = try Running(["-s", proxied, "--timeout", "30", "--json", "watch", "/w"])
            let watching = { try await Self.watchers(of: root + "/w", through: proxy) }
            try await eventually(within: .seconds(60)) { try await watching() == 2 }

            proxy.block()
            try await eventually(within: .seconds(60)) {
                text.errorLines.count == 1 && json.objects == [["state": "SUSPENDED"]]
            }
            #expect(text.errorLines[0] == "zk: connection to 127.0.0.1:\(proxy.port) lost; reconnecting")
            // Not replayed after the reconnect (the server re-arms persistent watches without events).
            try await zk.create("/w/missed")
            proxy.unblock()
            try await eventually(within: .seconds(60)) { text.errorLines.count == 2 && json.objects.count == 2 }
            #expect(
                text.errorLines[1].wholeMatch(
                    of:
                        /zk: reconnected to 127\.0\.0\.1:\d+, session 0x[0-9a-f]+; changes made while disconnected are not reported/
                ) != nil, "\(text.errorLines)")
            let connected = json.objects[1]
            #expect(connected["state"] == "CONNECTED" && connected["server"] == "127.0.0.1:\(proxy.port)")
            #expect(connected["session"]?.hasPrefix("0x") == true)

            // The client set the watch again on the session: a change now is printed.
            try await eventually(within: .seconds(60)) { try await watching() == 2 }
            try await zk.create("/w/after")
            try await eventually(within: .seconds(60)) {
                text.stdout.text.hasPrefix("NodeChildrenChanged /w version ") && json.objects.count == 3
            }
            #expect(Running.event(json.objects[2]) == ["type": "NodeChildrenChanged", "path": "/w"])
            #expect(text.errorLines.count == 2 && json.stderr.text.isEmpty)
            for running in [text, json] { await running.stop() }
        }
    }

    /// A stall longer than the session timeout: the server expires the sessions, and with them
    /// the watches; zk says so, sets the watch again on the client's new session, and says
    /// that changes made in between are not reported. (Sessions of 8 s: a shorter one could be
    /// suspended by a test process that a busy machine starves, which would add lines.)
    @Test(arguments: ShellTarget.allCases)
    func anExpiredSessionIsSaidAndTheWatchIsSetAgainOnTheNewSession(_ target: ShellTarget) async throws {
        try await Self.withProxiedServer(target) { proxied, proxy, zk, root in
            try await zk.create("/w")
            let text = try Running(["-s", proxied, "--timeout", "8", "watch", "/w"])
            let json = try Running(["-s", proxied, "--timeout", "8", "--json", "watch", "/w"])
            let watching = { try await Self.watchers(of: root + "/w", through: proxy) }
            try await eventually(within: .seconds(60)) { try await watching() == 2 }
            var sessions: Set<String> = []
            try await eventually(within: .seconds(60)) {
                sessions = try await Self.sessions(through: proxy)
                return sessions.count == 2
            }
            // The server lists them as alive (so that their absence below means something); a
            // session moving between the tracker's expiry buckets may be missing for a moment.
            try await eventually(within: .seconds(60)) { try await Self.alive(sessions, through: proxy) == sessions }

            proxy.stall()
            try await eventually(within: .seconds(60)) {
                text.errorLines.count == 1 && json.objects == [["state": "SUSPENDED"]]
            }
            // Both sessions expired on the server (not only their connections gone: the server
            // drops a connection's watches with it, and setWatches brings them back).
            try await eventually(within: .seconds(60)) { try await Self.alive(sessions, through: proxy).isEmpty }
            try await zk.create("/w/missed")
            proxy.unstall()
            try await eventually(within: .seconds(60)) { text.errorLines.count == 4 && json.objects.count == 4 }
            #expect(text.errorLines[1] == "zk: session expired; the watch is gone until a new session starts")
            #expect(
                text.errorLines[2].wholeMatch(
                    of: /zk: connected to 127\.0\.0\.1:\d+ with a new session, 0x[0-9a-f]+/) != nil,
                "\(text.errorLines)")
            #expect(text.errorLines[3] == "zk: watching /w again; changes made while it was gone are not reported")
            #expect(json.objects.map { $0["state"] } == ["SUSPENDED", "EXPIRED", "CONNECTED", "WATCHING"])
            #expect(json.objects[3] == ["state": "WATCHING", "path": "/w"])

            try await zk.create("/w/after")
            try await eventually(within: .seconds(60)) {
                text.stdout.text.hasPrefix("NodeChildrenChanged /w version ") && json.objects.count == 5
            }
            #expect(Running.event(json.objects[4]) == ["type": "NodeChildrenChanged", "path": "/w"])
            #expect(json.stderr.text.isEmpty)
            for running in [text, json] { await running.stop() }
        }
    }

    /// The connection lost while the watch is being set (the server frozen, so the request goes
    /// unanswered until the client gives the connection up): `zk watch` sets the watch once the
    /// client has reconnected, instead of ending with the connection loss. (A Jepsen run saw it
    /// end so, when a member it used was paused as it started.)
    @Test func aWatchCutOffWhileBeingSetIsSetOnceReconnected() async throws {
        try await ZooKeeperServer.withServer(configuration: .init(port: 0)) { server in
            let shell = ShellContext(
                options: try GlobalOptions.parse(["--server", server.connectString, "--timeout", "3"]))
            let zk = try await shell.zk()
            try await zk.create("/w")
            try await server.freezeConnections()
            let lost = Task { for await state in zk.states() where !state.isConnected { return } }
            let watching = Task {
                try await WatchStream(path: "/w", mode: .persistentRecursive, count: 1, exec: nil).run(zk, in: shell)
            }
            await lost.value
            try await server.thawConnections()
            try await eventually(waitingFor: "the watch set on the server") {
                try await server.watches().contains { $0.path == "/w" && $0.kind == .persistentRecursive }
            }
            let other = try await ZooKeeperClient.connect(server.connectString)
            try await other.create("/w/x")
            try await watching.value
            try await other.close()
            await shell.close()
        }
    }
}
