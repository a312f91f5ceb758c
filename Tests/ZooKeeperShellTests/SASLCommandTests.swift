import Foundation
import Testing
import ZooKeeperTestSupport

/// `zk` logging in with SASL DIGEST-MD5 to Apache ZooKeeper (SASLAuthenticationProvider, JAAS
/// users alice and bob): from flags, the environment and a JAAS file; sasl ACLs enforced.
@Suite(.timeLimit(.minutes(4))) struct SASLCommandTests {
    @Test func loginsFromFlagsEnvironmentAndJAAS() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zk-sasl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let passwordFile = directory.appendingPathComponent("password").path
        try "bob-secret\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let jaasFile = directory.appendingPathComponent("jaas.conf").path
        try """
        Client {
          org.apache.zookeeper.server.auth.DigestLoginModule required
          username="alice"
          password="alice-secret";
        };
        Other {
          org.apache.zookeeper.server.auth.DigestLoginModule required
          username="alice" password="wrong";
        };
        """.write(toFile: jaasFile, atomically: true, encoding: .utf8)

        try await ApacheZooKeeper.withSASL { cluster in
            func zk(_ arguments: [String], _ environment: [String: String] = [:]) async throws -> ChildProcess.Result {
                try await ShellCommandTests.zk(["-s", cluster.connectString] + arguments, environment: environment)
            }
            let alice = ["--sasl", "DIGEST-MD5", "--sasl-user", "alice"]
            let alicePassword = ["ZK_SASL_PASSWORD": "alice-secret"]
            let created = try await zk(alice + ["create", "/alice", "hers", "sasl:alice:cdrwa"], alicePassword)
            #expect(created.status == 0 && created.text == "/alice\n", "\(created.errorText)")

            // whoami shows the SASL identity.
            let whoami = try await zk(alice + ["whoami"], alicePassword)
            #expect(
                whoami.status == 0 && whoami.text.contains("sasl") && whoami.text.contains("alice"), "\(whoami.text)")

            // The environment alone, and the JAAS file (also from $ZK_JAAS): one-shot reads log in too.
            for (arguments, environment) in [
                ([], ["ZK_SASL": "DIGEST-MD5", "ZK_SASL_USER": "alice", "ZK_SASL_PASSWORD": "alice-secret"]),
                (["--jaas", jaasFile], [:]), ([], ["ZK_JAAS": jaasFile]),
            ] {
                let read = try await zk(arguments + ["get", "/alice"], environment)
                #expect(read.status == 0 && read.text == "hers", "\(arguments) \(environment): \(read.errorText)")
            }

            // Bob (password from a file) and anonymous clients are refused with status 6.
            let bob = try await zk(["--sasl-user", "bob", "--sasl-password-file", passwordFile, "get", "/alice"])
            #expect(bob.status == 6 && bob.errorText == "zk: NoAuth: not authorized: /alice\n", "\(bob.errorText)")
            let anonymous = try await zk(["get", "/alice"])
            #expect(anonymous.status == 6, "\(anonymous.errorText)")

            // A wrong password: one line, status 6, and no password in it.
            let wrong = try await zk(["--jaas", jaasFile, "--jaas-section", "Other", "get", "/alice"])
            #expect(wrong.status == 6, "\(wrong.errorText)")
            #expect(
                wrong.errorText
                    == "zk: AuthFailed: SASL authentication failed: the server refused the login (DIGEST-MD5 as alice)\n"
            )
        }
    }

    /// Bad SASL settings: one plain line and the usage status, before connecting.
    @Test(
        arguments: [
            (
                ["--sasl", "PLAIN", "ls", "/"], [:],
                "zk: unknown SASL mechanism 'PLAIN'; zk knows DIGEST-MD5 and GSSAPI\n"
            ),
            (
                ["--sasl", "DIGEST-MD5", "ls", "/"], [:],
                "zk: a DIGEST-MD5 login needs a user: --sasl-user NAME or $ZK_SASL_USER\n"
            ),
            (
                ["--sasl-user", "alice", "ls", "/"], [:],
                "zk: a DIGEST-MD5 login needs a password: $ZK_SASL_PASSWORD or --sasl-password-file FILE\n"
            ),
            (
                ["--sasl-user", "alice", "--sasl-password-file", "/nonexistent/pw", "ls", "/"], [:],
                "zk: cannot read the SASL password file /nonexistent/pw\n"
            ),
            (
                ["--jaas", "/nonexistent/jaas.conf", "ls", "/"], [:],
                "zk: cannot read the JAAS file /nonexistent/jaas.conf\n"
            ),
        ] as [([String], [String: String], String)])
    func badSettingsAreUsageErrors(arguments: [String], environment: [String: String], message: String) async throws {
        let result = try await ShellCommandTests.zk(["-s", "127.0.0.1:1"] + arguments, environment: environment)
        #expect(result.status == 64)
        #expect(result.errorText == message)
    }
}

/// `zk serve` with SASL DIGEST-MD5 users from a JAAS file and a users file, SASL required.
@Suite(.timeLimit(.minutes(3))) struct ServeSASLTests {
    @Test func serveTakesSASLLoginsAndRequiresThem() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zk-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let jaas = directory.appendingPathComponent("jaas.conf").path
        try ApacheZooKeeper.jaasServerSection(users: ["alice": "alice-secret"])
            .write(toFile: jaas, atomically: true, encoding: .utf8)
        let users = directory.appendingPathComponent("users").path
        try "# more users\nbob:bob-secret\n".write(toFile: users, atomically: true, encoding: .utf8)

        let (process, address) = try await ServeProcess.start([
            "--sasl-jaas", jaas, "--sasl-users", users, "--require-sasl",
        ])
        defer { process.terminate() }
        func zk(_ arguments: [String], _ password: String? = nil) async throws -> ChildProcess.Result {
            try await ShellCommandTests.zk(
                ["-s", address, "--connect-timeout", "10"] + arguments,
                environment: password.map { ["ZK_SASL_PASSWORD": $0] } ?? [:])
        }
        let created = try await zk(["--sasl-user", "alice", "create", "/a", "x", "sasl:alice:cdrwa"], "alice-secret")
        #expect(created.status == 0 && created.text == "/a\n", "\(created.errorText)")
        let read = try await zk(["--sasl-user", "alice", "get", "/a"], "alice-secret")
        #expect(read.status == 0 && read.text == "x", "\(read.errorText)")
        let bob = try await zk(["--sasl-user", "bob", "get", "/a"], "bob-secret")
        #expect(bob.status == 6 && bob.errorText == "zk: NoAuth: not authorized: /a\n", "\(bob.errorText)")
        let wrong = try await zk(["--sasl-user", "bob", "ls", "/"], "alice-secret")
        #expect(wrong.status == 6, "\(wrong.errorText)")
        // Without a login: SessionClosedRequireSaslAuth, not authorized.
        let anonymous = try await zk(["ls", "/"])
        #expect(anonymous.status == 6, "\(anonymous.errorText)")
    }

    @Test func badUserFilesAreUsageErrors() async throws {
        let missing = try await ShellCommandTests.zk(["serve", "--port", "0", "--sasl-users", "/nonexistent/users"])
        #expect(missing.status == 1 && missing.errorText == "zk: cannot read the users file /nonexistent/users\n")
        let required = try await ShellCommandTests.zk(["serve", "--port", "0", "--require-sasl"])
        #expect(required.status == 64)
        #expect(required.errorText.contains("--require-sasl needs users: --sasl-jaas FILE or --sasl-users FILE"))
    }
}
