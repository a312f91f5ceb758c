import Testing
import ZooKeeper
import ZooKeeperProtocol
import ZooKeeperTestSupport

/// SASL DIGEST-MD5 against Apache ZooKeeper with the SASLAuthenticationProvider and JAAS users.
@Suite(.serialized, .timeLimit(.minutes(5))) struct SASLTests {
    static func configuration(_ user: String, _ password: String) -> ZooKeeperClient.Configuration {
        var configuration = ZooKeeperClient.Configuration()
        configuration.sessionTimeout = .seconds(10)
        configuration.connectTimeout = .seconds(30)
        configuration.sasl = .digestMD5(username: user, password: password)
        return configuration
    }

    @Test func saslACLsAdmitOnlyTheirUser() async throws {
        try await ApacheZooKeeper.withSASL { cluster in
            let alice = try await ZooKeeperClient.connect(
                cluster.connectString, configuration: Self.configuration("alice", "alice-secret"))
            #expect(try await alice.whoAmI().contains { $0.authScheme == "sasl" && $0.user == "alice" })
            try await alice.create(
                "/alice", data: Array("hers".utf8), acl: [ACL(permissions: .all, id: Id(scheme: "sasl", id: "alice"))])
            #expect(try await alice.getData("/alice").data == Array("hers".utf8))

            let bob = try await ZooKeeperClient.connect(
                cluster.connectString, configuration: Self.configuration("bob", "bob-secret"))
            let anonymous = try await ZooKeeperClient.connect(cluster.connectString)
            for other in [bob, anonymous] {
                await #expect(throws: ZooKeeperError(.noAuth, path: "/alice")) { try await other.getData("/alice") }
                try await other.close()
            }
            try await alice.close()
        }
    }

    @Test func saslAuthenticatedIsAnnouncedAfterConnected() async throws {
        try await ApacheZooKeeper.withSASL { cluster in
            let zk = try ZooKeeperClient.start(
                cluster.connectString, configuration: Self.configuration("alice", "alice-secret"))
            var seen: [ZooKeeperClient.State] = []
            for await state in zk.states() {
                seen.append(state)
                if state == .saslAuthenticated { break }
            }
            #expect(seen == [.connecting, .connected, .saslAuthenticated])
            #expect(try await zk.session().state == .connected)
            try await zk.close()
        }
    }

    @Test func aWrongPasswordFailsWithAuthFailed() async throws {
        try await ApacheZooKeeper.withSASL { cluster in
            let error = await #expect(throws: ZooKeeperError.self) {
                try await ZooKeeperClient.connect(
                    cluster.connectString, configuration: Self.configuration("alice", "wrong"))
            }
            #expect(error?.code == .authFailed)
            #expect(error?.message == "SASL authentication failed: the server refused the login (DIGEST-MD5 as alice)")
        }
    }

    /// Every connection authenticates anew: after a reset, the same session is SASL-authenticated
    /// again before any request, and its watches fire.
    @Test func everyReconnectAuthenticatesAgain() async throws {
        try await ApacheZooKeeper.withSASL(requireClientSASLAuth: true) { cluster in
            let port = Int(cluster.connectString.split(separator: ":").last!)!
            let proxy = try await TCPProxy.start(upstreamPort: port)
            defer { proxy.stop() }
            let zk = try await ZooKeeperClient.connect(
                "127.0.0.1:\(proxy.port)", configuration: Self.configuration("alice", "alice-secret"))
            try await zk.create("/n", data: [1], acl: [ACL(permissions: .all, id: Id(scheme: "sasl", id: "alice"))])
            let before = try await zk.session().id
            let watch = try await zk.watchData("/n").watch
            let states = zk.states()
            proxy.reset()
            // The first state yielded is the current one, CONNECTED: SASL_AUTHENTICATED is announced
            // only after the reconnect's exchange.
            for await state in states where state == .saslAuthenticated { break }
            #expect(try await zk.session().id == before)
            let other = try await ZooKeeperClient.connect(
                cluster.connectString, configuration: Self.configuration("alice", "alice-secret"))
            try await other.setData("/n", data: [2])
            #expect(try await watch.event().type == .nodeDataChanged)
            #expect(try await zk.getData("/n").data == [2])
            try await other.close()
            try await zk.close()
        }
    }

    /// With `sessionRequireClientSASLAuth`, a client without a login is refused.
    @Test func aServerRequiringSASLRefusesAnonymousClients() async throws {
        try await ApacheZooKeeper.withSASL(requireClientSASLAuth: true) { cluster in
            let anonymous = try await ZooKeeperClient.connect(cluster.connectString)
            let error = await #expect(throws: ZooKeeperError.self) { try await anonymous.getChildren("/") }
            #expect(error?.code == .sessionClosedRequireSaslAuth)
            _ = try? await anonymous.close()
        }
    }

    /// Neither a login nor a refused one puts the password in the log, at any level; nor does
    /// printing the configuration.
    @Test func passwordsNeverReachTheLog() async throws {
        let capture = CredentialLoggingTests.Capture()
        try await ApacheZooKeeper.withSASL { cluster in
            var configuration = Self.configuration("alice", "alice-secret")
            configuration.logger = capture.logger("zookeeper.sasl")
            let zk = try await ZooKeeperClient.connect(cluster.connectString, configuration: configuration)
            try await zk.close()
            var refused = Self.configuration("bob", "Wr0ng-Passw0rd")
            refused.logger = capture.logger("zookeeper.refused")
            await #expect(throws: ZooKeeperError.self) {
                try await ZooKeeperClient.connect(cluster.connectString, configuration: refused)
            }
            capture.append("\(configuration.sasl!) \(String(describing: refused.sasl!))")
        }
        let lines = capture.text
        #expect(lines.contains { $0.contains("SASL authenticated") }, "too little logged: \(lines)")
        #expect(lines.contains { $0.contains("SASL authentication failed") }, "too little logged: \(lines)")
        for secret in ["alice-secret", "Wr0ng-Passw0rd"] {
            let leaks = lines.filter { $0.contains(secret) }
            #expect(leaks.isEmpty, "a password in the log: \(leaks)")
        }
    }
}
