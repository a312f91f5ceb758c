import Foundation
import NIOSSL
import Testing
import ZooKeeperProtocol
import ZooKeeperServer
import ZooKeeperTestSupport

@testable import ZooKeeper

/// TLS client certificates as `x509` identities: the same results from Apache ZooKeeper
/// (secureClientPort, X509AuthenticationProvider, certificates wanted) and the embedded server's
/// TLS port.
@Suite(.serialized, .timeLimit(.minutes(5))) struct X509ConformanceTests {
    @Test func x509IdentitiesAndACLs() async throws {
        let certificates = try await TestCertificates.make()
        defer { try? FileManager.default.removeItem(at: certificates.directory) }
        var anonymous = TLSConfiguration.makeClientConfiguration()
        anonymous.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificates.path("ca.pem")))
        var certified = anonymous
        certified.certificateChain = try NIOSSLCertificate.fromPEMFile(certificates.path("client.pem"))
            .map { .certificate($0) }
        certified.privateKey = .privateKey(try NIOSSLPrivateKey(file: certificates.path("client.key"), format: .pem))
        let tls = (anonymous: anonymous, certified: certified)

        let scenario: @Sendable (Transcript) async throws -> Void = { t in
            let (owner, _) = try await t.connect(clientCertificate: true)
            let (stranger, _) = try await t.connect()
            let (digest, _) = try await t.connect(
                authentication: [.digest(user: "alice", password: "pw")], clientCertificate: true)
            for (name, client) in [("owner", owner), ("stranger", stranger), ("digest", digest)] {
                await t.step("\(name) whoami") {
                    try await client.whoAmI().map { "\($0.authScheme):\($0.user)" }.description
                }
            }
            await t.step("create /c for x509:CN=client") {
                try await owner.create(
                    "/c", data: "c".utf8Bytes, acl: [ACL(permissions: .all, id: Id(scheme: "x509", id: "CN=client"))]
                ).path
            }
            await t.step("create /a for auth") {
                try await owner.create(
                    "/a", data: "a".utf8Bytes, acl: [ACL(permissions: .all, id: Id(scheme: "auth", id: ""))]
                ).path
            }
            for path in ["/c", "/a"] {
                await t.step("getACL \(path)") { try await owner.getACL(path).acl.description }
                for (name, client) in [("owner", owner), ("stranger", stranger), ("digest", digest)] {
                    await t.step("\(name) reads \(path)") { try await client.getData(path).data.text }
                }
            }
            await t.step("stranger writes /c") { try await stranger.setData("/c", data: []).version.description }
        }
        let apache = try await ApacheZooKeeper.withSecurePort(certificates) { _, securePort in
            try await run(scenario, on: "127.0.0.1:\(securePort)", tls: tls)
        }
        var configuration = ZooKeeperServer.Configuration(port: 0)
        configuration.securePort = 0
        var serverTLS = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.path("server.pem")).map {
                .certificate($0)
            },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.path("server.key"), format: .pem)))
        serverTLS.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificates.path("ca.pem")))
        serverTLS.certificateVerification = .optionalVerification
        configuration.tls = serverTLS
        let ours = try await ZooKeeperServer.withServer(configuration: configuration) { server in
            try await run(scenario, on: "127.0.0.1:\(server.securePort!)", tls: tls)
        }
        #expect(apache.contains { $0.contains("x509:CN=client") }, "\(apache)")
        expectSameLines(apache, ours, what: "step")
    }
}
