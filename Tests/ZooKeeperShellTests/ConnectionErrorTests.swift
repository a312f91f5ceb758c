import Foundation
import Testing
import ZooKeeperTestSupport

/// What `zk` says when it cannot get a session: one plain line on stderr naming the server and
/// the cause, nothing on stdout, exit status 7, whether the command went the direct way
/// (`get`, `ls`, `stat`, `exists`, which hand over to the full client) or the long way.
@Suite(.timeLimit(.minutes(3))) struct ConnectionErrorTests {
    /// Runs `zk -s SERVER ARGUMENTS` and checks the one line it reports.
    static func expectFailure(_ server: String, _ arguments: [String], _ expected: String) async throws {
        let result = try await ShellCommandTests.zk(["-s", server] + arguments)
        #expect(result.status == 7, "\(arguments)")
        #expect(result.stdout.isEmpty, "\(arguments)")
        #expect(result.errorText == "zk: \(expected)\n", "\(arguments)")
    }

    static let commands = [["get", "/x"], ["ls", "/"], ["create", "/x"], ["4lw", "ruok"]]

    @Test func aClosedPort() async throws {
        let port = try freePort()
        for command in Self.commands {
            try await Self.expectFailure(
                "127.0.0.1:\(port)", command, "cannot connect to 127.0.0.1:\(port): connection refused")
        }
    }

    /// Refused at once, not after the connect timeout.
    @Test func aClosedPortFailsWellWithinTheConnectTimeout() async throws {
        let port = try freePort()
        let start = ContinuousClock.now
        try await Self.expectFailure(
            "127.0.0.1:\(port)", ["--connect-timeout", "60", "ls", "/"],
            "cannot connect to 127.0.0.1:\(port): connection refused")
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    @Test func aNameThatDoesNotResolve() async throws {
        for command in Self.commands {
            try await Self.expectFailure(
                "\(unresolvableHost):2181", command, "cannot connect to \(unresolvableHost):2181: host name not found")
        }
    }

    /// (`4lw` prints whatever the server answers: it is no ZooKeeper request.)
    @Test func aWebServer() async throws {
        let server = try await HTTPServer.start()
        for command in Self.commands.dropLast() {
            try await Self.expectFailure(
                "127.0.0.1:\(server.port)", command,
                "cannot connect to 127.0.0.1:\(server.port): this is not a ZooKeeper server (it answered like an HTTP server)"
            )
        }
        try await server.stop()
    }

    @Test func severalServers() async throws {
        let port = try freePort()
        try await Self.expectFailure(
            "127.0.0.1:\(port),\(unresolvableHost):2181", ["get", "/x"],
            "cannot connect to 127.0.0.1:\(port): connection refused; \(unresolvableHost):2181: host name not found")
    }
}
