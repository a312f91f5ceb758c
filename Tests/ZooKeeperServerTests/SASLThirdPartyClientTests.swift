import Foundation
import Testing
import ZooKeeperServer
import ZooKeeperTestSupport

/// kazoo (`sasl_options`, through pure-sasl) and zkCli.sh (a JAAS `Client` section) log in with
/// SASL DIGEST-MD5 to Apache ZooKeeper and to the embedded server; their outputs must match.
@Suite(.serialized, .timeLimit(.minutes(4))) struct SASLThirdPartyClientTests {
    @Test func kazoo() async throws {
        let script = """
            import sys, time
            from kazoo.client import KazooClient
            from kazoo.security import make_acl
            from kazoo.exceptions import NoAuthError
            def client(user, password):
                return KazooClient(hosts=sys.argv[1], timeout=10,
                    sasl_options={'mechanism': 'DIGEST-MD5', 'username': user, 'password': password})
            alice = client('alice', 'alice-secret')
            alice.start(timeout=30)
            print('alice', alice.state)
            alice.create('/k', b'v', acl=[make_acl('sasl', 'alice', all=True)])
            print('get', alice.get('/k')[0])
            print('acl', alice.get_acls('/k')[0])
            alice.stop()
            bob = client('bob', 'bob-secret')
            bob.start(timeout=30)
            print('bob', bob.state)
            try:
                bob.get('/k')
            except NoAuthError:
                print('bob NoAuth')
            bob.stop()
            wrong = client('alice', 'wrong')
            try:
                wrong.start(timeout=10)
            except Exception:
                pass
            for _ in range(300):
                if wrong.client_state in ('AUTH_FAILED', 'CLOSED'):
                    break
                time.sleep(0.1)
            print('wrong password', wrong.client_state)
            wrong.stop()
            wrong.close()
            """
        try await ThirdPartyClientTests.expectSameOutput(sasl: true, normalize: Self.printed) { address in
            try await ChildProcess.run("/usr/bin/env", ["python3", "-c", script, address], timeout: .seconds(90)).text
        }
    }

    @Test func javaZkCli() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zk-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let jaas = directory.appendingPathComponent("client.conf")
        try """
        Client {
          org.apache.zookeeper.server.auth.DigestLoginModule required
          username="alice"
          password="alice-secret";
        };
        """.write(to: jaas, atomically: true, encoding: .utf8)
        let commands = """
            whoami
            create /zc hello sasl:alice:cdrwa
            getAcl /zc
            get /zc
            quit

            """
        try await ThirdPartyClientTests.expectSameOutput(sasl: true, normalize: Self.zkCliLines) { address in
            var environment = ProcessInfo.processInfo.environment
            environment["CLIENT_JVMFLAGS"] = "-Djava.security.auth.login.config=\(jaas.path)"
            let result = try await ChildProcess.run(
                "/usr/share/zookeeper/bin/zkCli.sh", ["-server", address], input: Array(commands.utf8),
                environment: environment, timeout: .seconds(90))
            return result.text
        }
    }

    static func printed(_ output: String) -> [String] {
        output.split(separator: "\n").map(String.init)
    }

    /// The command output, less the banner, logging and connection events.
    static func zkCliLines(_ output: String) -> [String] {
        output.split(separator: "\n").map(String.init).filter { line in
            !line.isEmpty && !line.contains("SLF4J") && !line.contains("log4j") && !line.hasPrefix("WATCHER")
                && !line.hasPrefix("WatchedEvent") && !line.hasPrefix("Connecting") && !line.hasPrefix("Welcome")
                && !line.hasPrefix("JLine")
        }
    }
}
