import Foundation
import Testing
import ZooKeeperTestSupport

/// `zk` over TLS to a real Apache ZooKeeper's secureClientPort (Netty, PEM key and trust stores,
/// client certificates required): certificates are checked both ways.
@Suite(.timeLimit(.minutes(3))) struct TLSTests {
    @Test func certificatesAreCheckedBothWays() async throws {
        let certificates = try await TestCertificates.make()
        defer { try? FileManager.default.removeItem(at: certificates.directory) }
        let securePort = try freePort()
        let config = [
            "secureClientPort=\(securePort)", "secureClientPortAddress=127.0.0.1",
            "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
            "ssl.keyStore.location=\(certificates.path("server-keystore.pem"))", "ssl.keyStore.type=PEM",
            "ssl.trustStore.location=\(certificates.path("ca.pem"))", "ssl.trustStore.type=PEM",
            "ssl.clientAuth=need",
        ]
        try await ApacheZooKeeper.with(extraConfig: config) { cluster in
            let server = "127.0.0.1:\(securePort)"
            func zk(_ arguments: [String], environment: [String: String] = [:]) async throws -> ChildProcess.Result {
                try await ShellCommandTests.zk(
                    ["-s", server, "--connect-timeout", "2"] + arguments, environment: environment)
            }
            let client = ["--tls-cert", certificates.path("client.pem"), "--tls-key", certificates.path("client.key")]
            let trusted = ["--tls-ca", certificates.path("ca.pem")]

            let created = try await zk(trusted + client + ["create", "/secure", "sealed"])
            #expect(created.status == 0 && created.text == "/secure\n", "\(created.errorText)")
            // The same settings from the environment.
            let environment = [
                "ZK_TLS_CA": certificates.path("ca.pem"), "ZK_TLS_CERT": certificates.path("client.pem"),
                "ZK_TLS_KEY": certificates.path("client.key"),
            ]
            #expect(try await zk(["get", "/secure"], environment: environment).text == "sealed")

            // A server certificate from a CA we do not trust.
            let untrusted = try await zk(["--tls-ca", certificates.path("other-ca.pem")] + client + ["ls", "/"])
            #expect(untrusted.status == 7)
            #expect(
                untrusted.errorText
                    == "zk: cannot connect to \(server): TLS handshake failed: certificate verify failed\n")
            // No client certificate: the server ends the handshake.
            let anonymous = try await zk(trusted + ["ls", "/"])
            #expect(anonymous.status == 7)
            #expect(
                anonymous.errorText
                    == "zk: cannot connect to \(server): TLS handshake failed: the server rejected it (bad certificate)\n"
            )
            // Plain TCP to the TLS port.
            let plain = try await zk(["ls", "/"])
            #expect(plain.status == 7)
            #expect(plain.errorText == "zk: cannot connect to \(server): the server closed the connection\n")
            // TLS to the plain port.
            let plainPort = try await ShellCommandTests.zk(
                ["-s", cluster.connectString, "--connect-timeout", "2"] + trusted + client + ["ls", "/"])
            #expect(plainPort.status == 7)
            #expect(
                plainPort.errorText
                    == "zk: cannot connect to \(cluster.connectString): TLS handshake failed: the server closed the connection\n"
            )
            // Files that are missing or not PEM are usage errors, before connecting.
            let missing = try await zk(["--tls-ca", certificates.path("nope.pem"), "ls", "/"])
            #expect(missing.status == 64 && missing.errorText.contains("cannot read the CA certificates file"))
            #expect(try await zk(["--tls-cert", certificates.path("client.pem"), "ls", "/"]).status == 64)
        }
    }
}
