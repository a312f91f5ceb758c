import NIOCore
import NIOSSL
import Testing
import ZooKeeperProtocol

@testable import ZooKeeper

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The plain-words causes of failed connection attempts, and the message `connect` fails with.
@Suite struct ConnectionFailureTests {
    @Test(arguments: [
        (ECONNREFUSED, "connection refused", true),
        (ECONNRESET, "connection reset by the server", false),
        (ETIMEDOUT, "connection timed out", false),
        (EHOSTUNREACH, "no route to host", false),
        (ENETUNREACH, "network unreachable", false),
        (EACCES, "permission denied", false),
    ])
    func socketErrors(_ code: CInt, _ cause: String, _ definitive: Bool) {
        let failure = ConnectionFailure(IOError(errnoCode: code, reason: "connect"))
        #expect(failure == ConnectionFailure(cause: cause, isDefinitive: definitive))
    }

    @Test func nameLookups() {
        #expect(
            ConnectionFailure(resolverError: Int(EAI_NONAME)) == .init(cause: "host name not found", isDefinitive: true)
        )
        // A resolver that cannot answer now may answer later.
        let again = ConnectionFailure(resolverError: Int(EAI_AGAIN))
        #expect(again == ConnectionFailure(cause: "temporary failure in name resolution"))
    }

    @Test func channelErrors() {
        #expect(ConnectionFailure(ChannelError.connectTimeout(.seconds(1))).cause == "connection timed out")
        #expect(ConnectionFailure(ChannelError.eof).cause == "the server closed the connection")
    }

    @Test func tlsErrors() {
        let closed = ConnectionFailure(NIOSSLError.handshakeFailed(.sslError([.eofDuringHandshake])))
        #expect(closed == ConnectionFailure(cause: "TLS handshake failed: the server closed the connection"))
        #expect(
            ConnectionFailure(NIOSSLError.uncleanShutdown).cause
                == "TLS handshake failed: the server closed the connection")
        #expect(
            ConnectionFailure(NIOSSLExtraError.failedToValidateHostname)
                == ConnectionFailure(
                    cause: "TLS handshake failed: the certificate is not for this host", isDefinitive: true))
        #expect(
            ConnectionFailure(tlsConfiguration: NIOSSLError.failedToLoadPrivateKey)
                == ConnectionFailure(cause: "TLS configuration: cannot load the private key", isDefinitive: true))
    }

    @Test(arguments: [
        ("CERTIFICATE_VERIFY_FAILED", "certificate verify failed"),
        ("SSLV3_ALERT_HANDSHAKE_FAILURE", "the server rejected it (handshake failure)"),
        ("TLSV1_ALERT_CERTIFICATE_REQUIRED", "the server rejected it (certificate required)"),
        ("WRONG_VERSION_NUMBER", "the server does not speak TLS"),
    ])
    func boringSSLReasons(_ name: String, _ reason: String) {
        let description =
            "Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:\(name) at ssl/handshake.cc:393"
        #expect(ConnectionFailure.reason(boringSSLError: description) == reason)
    }

    @Test func otherServersAndBadFrames() {
        #expect(
            ConnectionFailure(NotZooKeeperServer(kind: .http))
                == ConnectionFailure(
                    cause: "this is not a ZooKeeper server (it answered like an HTTP server)", isDefinitive: true))
        let large = ConnectionFailure(JuteError(.frameTooLarge, "frame length 2000000, limit 1048575"))
        #expect(large.cause == "the server sent a frame over the size limit (frame length 2000000, limit 1048575)")
    }

    // MARK: The message

    let a = ConnectString.Host(host: "127.0.0.1", port: 1)
    let b = ConnectString.Host(host: "zk2.example", port: 2181)
    let refused = ConnectionFailure(cause: "connection refused", isDefinitive: true)

    func message(_ hosts: [ConnectString.Host], _ failures: [ConnectString.Host: ConnectionFailure]) -> String {
        ZooKeeperError.connectFailed(hosts: hosts, failures: failures, waited: .milliseconds(5000)).message
    }

    @Test func oneHost() {
        #expect(message([a], [a: refused]) == "cannot connect to 127.0.0.1:1: connection refused")
        #expect(message([a], [:]) == "cannot connect to 127.0.0.1:1: no answer within 5 s")
        let waited = ZooKeeperError.connectFailed(hosts: [a], failures: [:], waited: .milliseconds(1500))
        #expect(waited.message == "cannot connect to 127.0.0.1:1: no answer within 1.5 s")
        #expect(waited.code == .connectFailed)
    }

    @Test func severalHosts() {
        #expect(
            message([a, b, a], [a: refused, b: refused])
                == "cannot connect to 127.0.0.1:1, zk2.example:2181: connection refused")
        let unknown = ConnectionFailure(cause: "host name not found", isDefinitive: true)
        #expect(
            message([a, b], [a: refused, b: unknown])
                == "cannot connect to 127.0.0.1:1: connection refused; zk2.example:2181: host name not found")
        #expect(
            message([b, a], [a: refused])
                == "cannot connect to zk2.example:2181: no answer within 5 s; 127.0.0.1:1: connection refused")
    }

    @Test func oneServerFromAnyError() {
        let error = ZooKeeperError(connectingTo: a, failedWith: IOError(errnoCode: ECONNREFUSED, reason: "connect"))
        #expect(error == ZooKeeperError(.connectFailed, "cannot connect to 127.0.0.1:1: connection refused"))
    }
}
