import Foundation
import Testing
import ZooKeeperTestSupport

/// `zk serve --secure-port` against Apache ZooKeeper's secureClientPort (Netty, client
/// certificates wanted, X509AuthenticationProvider): the same x509 identity and ACL results for the
/// same steps of `zk` with and without a client certificate, of kazoo (`use_ssl`) and of zkCli
/// (`zookeeper.client.secure`).
@Suite(.serialized, .timeLimit(.minutes(4))) struct ServeTLSTests {
    /// The steps, run against the TLS port at `server`; each as status, stdout and stderr.
    static func steps(_ server: String, _ certificates: TestCertificates) async throws -> [String] {
        let trusted = ["-s", server, "--connect-timeout", "20", "--tls-ca", certificates.path("ca.pem")]
        let client = ["--tls-cert", certificates.path("client.pem"), "--tls-key", certificates.path("client.key")]
        var lines: [String] = []
        for arguments in [
            client + ["create", "/x", "sealed", "x509:CN=client:cdrwa"], client + ["whoami"], client + ["get", "/x"],
            client + ["getAcl", "/x"], ["get", "/x"], ["whoami"],
        ] {
            let result = try await ShellCommandTests.zk(trusted + arguments)
            let output = "\(result.status) \(result.text.debugDescription) \(result.errorText.debugDescription)"
            lines.append("\(arguments.filter { !$0.hasPrefix("/") || $0 == "/x" }): \(output)")
        }
        return lines
    }

    /// kazoo over TLS with a client certificate: its x509 identity owns what it creates.
    static func kazoo(_ server: String, _ certificates: TestCertificates) async throws -> [String] {
        let script = """
            import sys
            from kazoo.client import KazooClient
            from kazoo.security import make_acl
            zk = KazooClient(hosts=sys.argv[1], use_ssl=True, verify_certs=True, ca=sys.argv[2],
                certfile=sys.argv[3], keyfile=sys.argv[4])
            zk.start(timeout=30)
            print(zk.create('/k', b'kazoo', acl=[make_acl('x509', 'CN=client', all=True)]))
            print(zk.get('/k')[0], zk.get_acls('/k')[0])
            zk.stop()
            """
        let result = try await ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", "-c", script, server, certificates.path("ca.pem"), certificates.path("client.pem"),
                certificates.path("client.key"),
            ], timeout: .seconds(90))
        return result.text.split(separator: "\n").map(String.init) + [result.status == 0 ? "ok" : result.errorText]
    }

    /// zkCli (ZooKeeperMain, with the Netty jars Debian's zookeeper.jar leaves out) over TLS, with
    /// PEM key and trust stores.
    static func zkCli(_ server: String, _ certificates: TestCertificates) async throws -> [String] {
        try Prerequisite.apacheZooKeeper()
        let commands = "create /zc x x509:CN=client:cdrwa\nwhoami\ngetAcl /zc\nget /zc\nquit\n"
        let arguments = [
            "java", "-Dzookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty",
            "-Dzookeeper.client.secure=true",
            "-Dzookeeper.ssl.keyStore.location=\(certificates.path("client-keystore.pem"))",
            "-Dzookeeper.ssl.keyStore.type=PEM", "-Dzookeeper.ssl.trustStore.location=\(certificates.path("ca.pem"))",
            "-Dzookeeper.ssl.trustStore.type=PEM", "-cp",
            "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar:/usr/share/java/netty-codec.jar:/usr/share/java/netty-resolver.jar",
            "org.apache.zookeeper.ZooKeeperMain", "-server", server,
        ]
        let result = try await ChildProcess.run(
            "/usr/bin/env", arguments, input: Array(commands.utf8), timeout: .seconds(90))
        return result.text.split(separator: "\n").map(String.init).filter { line in
            !line.hasPrefix("WATCHER") && !line.hasPrefix("WatchedEvent") && !line.hasPrefix("Connecting")
        }
    }

    @Test func x509IdentitiesAsApache() async throws {
        let certificates = try await TestCertificates.make()
        defer { try? FileManager.default.removeItem(at: certificates.directory) }
        let apache = try await ApacheZooKeeper.withSecurePort(certificates) { _, securePort in
            try await Self.steps("127.0.0.1:\(securePort)", certificates)
                + Self.kazoo("127.0.0.1:\(securePort)", certificates)
                + Self.zkCli("127.0.0.1:\(securePort)", certificates)
        }
        let ourPort = try freePort()
        let (process, _) = try await ServeProcess.start([
            "--secure-port", "\(ourPort)", "--tls-server-cert", certificates.path("server.pem"),
            "--tls-server-key", certificates.path("server.key"), "--tls-client-ca", certificates.path("ca.pem"),
            "--tls-client-auth", "want",
        ])
        defer { process.terminate() }
        let ours =
            try await Self.steps("127.0.0.1:\(ourPort)", certificates)
            + Self.kazoo("127.0.0.1:\(ourPort)", certificates)
            + Self.zkCli("127.0.0.1:\(ourPort)", certificates)
        #expect(apache.first?.contains("0 \"/x\\n\"") == true, "\(apache)")
        #expect(apache.contains("ok") && apache.contains("/k"), "kazoo: \(apache)")
        #expect(apache.last == "x" && apache.contains("'x509,'CN=client"), "zkCli: \(apache)")
        expectSameLines(apache, ours, what: "step")
    }
}
