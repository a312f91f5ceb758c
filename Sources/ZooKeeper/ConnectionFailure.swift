import NIOCore
import NIOPosix
import NIOSSL
import ZooKeeperProtocol

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a connection attempt failed, in plain words, and whether trying again soon could help; made
/// from the error the attempt failed with (NIO's socket and resolver errors, TLS errors, a server
/// that is not ZooKeeper).
struct ConnectionFailure: Hashable, Sendable {
    /// The cause, such as "connection refused" or "host name not found".
    var cause: String
    /// Whether the same attempt would fail the same way a moment later: nothing listens on the
    /// port, the name does not resolve, another kind of server answers, or TLS cannot agree.
    var isDefinitive: Bool
    /// Whether the cause lies on this machine's side, not the server's (no local port was free):
    /// it says nothing about the server, and does not replace what an attempt before learned.
    var isLocal = false

    init(cause: String, isDefinitive: Bool = false) {
        self.cause = cause
        self.isDefinitive = isDefinitive
    }

    init(_ error: any Error) {
        switch error {
        case let error as IOError:
            self.init(errno: error.errnoCode)
        case let error as NIOConnectionError:
            self.init(error)
        case let error as SocketAddressError.UnknownHost:
            self.init(resolverError: error.errorCode)
        case let error as ChannelError:
            self.init(error)
        case let error as NIOSSLError:
            self.init(error)
        case let error as NIOSSLExtraError where error == .failedToValidateHostname:
            self.init(cause: "TLS handshake failed: the certificate is not for this host", isDefinitive: true)
        case let error as NotZooKeeperServer:
            self.init(cause: error.description, isDefinitive: true)
        case let error as JuteError where error.kind == .frameTooLarge:
            self.init(cause: "the server sent a frame over the size limit (\(error.detail))")
        case let error as JuteError:
            self.init(cause: "the server sent an unreadable reply (\(error))")
        default:
            self.init(cause: "\(error)")
        }
    }

    /// A socket call's failure.
    init(errno: CInt) {
        switch errno {
        case ECONNREFUSED: self.init(cause: "connection refused", isDefinitive: true)
        case ECONNRESET: self.init(cause: "connection reset by the server")
        case ETIMEDOUT: self.init(cause: "connection timed out")
        case EPIPE: self.init(cause: "the server closed the connection")
        case EHOSTUNREACH: self.init(cause: "no route to host")
        case ENETUNREACH: self.init(cause: "network unreachable")
        case EADDRNOTAVAIL:
            self.init(cause: "no local address or port was free to connect from")
            isLocal = true
        default: self.init(cause: Self.lowercasingFirst(String(cString: strerror(errno))))
        }
    }

    /// A failed name lookup: `getaddrinfo`'s result code.
    init(resolverError code: Int) {
        switch Int32(code) {
        case EAI_NONAME: self.init(cause: "host name not found", isDefinitive: true)
        default: self.init(cause: Self.lowercasingFirst(String(cString: gai_strerror(Int32(code)))))
        }
    }

    /// Connecting by name: every address the name resolved to failed, or the lookup did.
    private init(_ error: NIOConnectionError) {
        guard !error.connectionErrors.isEmpty else {
            let lookup = error.dnsAError ?? error.dnsAAAAError
            self = lookup.map { Self($0) } ?? Self(cause: "host name not found", isDefinitive: true)
            return
        }
        // Definitive only when every address failed definitively; otherwise what may pass.
        let failures = error.connectionErrors.map { Self($0.error) }
        self = failures.first { !$0.isDefinitive } ?? failures[0]
    }

    private init(_ error: ChannelError) {
        switch error {
        case .connectTimeout: self.init(cause: "connection timed out")
        case .eof, .ioOnClosedChannel, .alreadyClosed, .inputClosed, .outputClosed:
            self.init(cause: "the server closed the connection")
        default: self.init(cause: "\(error)")
        }
    }

    private init(_ error: NIOSSLError) {
        switch error {
        case .handshakeFailed(let error):
            self.init(cause: "TLS handshake failed: \(Self.reason(error))", isDefinitive: Self.isDefinitive(error))
        case .uncleanShutdown:
            self.init(cause: "TLS handshake failed: the server closed the connection")
        case .failedToLoadCertificate:
            self.init(cause: "TLS configuration: cannot load the certificate", isDefinitive: true)
        case .failedToLoadPrivateKey:
            self.init(cause: "TLS configuration: cannot load the private key", isDefinitive: true)
        case .noSuchFilesystemObject:
            self.init(cause: "TLS configuration: a certificate or key file is missing", isDefinitive: true)
        default:
            self.init(cause: "TLS error: \(error)")
        }
    }

    /// The TLS configuration could not be turned into a context: the same every time.
    init(tlsConfiguration error: any Error) {
        let failure = Self(error)
        let cause = failure.cause.hasPrefix("TLS") ? failure.cause : "TLS configuration: \(failure.cause)"
        self.init(cause: cause, isDefinitive: true)
    }

    private static func reason(_ error: BoringSSLError) -> String {
        switch error {
        case .sslError(let stack), .unknownError(let stack):
            guard let first = stack.first, first != .eofDuringHandshake else {
                return "the server closed the connection"
            }
            return reason(boringSSLError: first.description)
        case .zeroReturn, .syscallError: return "the server closed the connection"
        default: return "\(error)"
        }
    }

    /// Whether BoringSSL's verdict will stand on the next attempt: a certificate or protocol
    /// disagreement does, the server closing the connection may not.
    private static func isDefinitive(_ error: BoringSSLError) -> Bool {
        switch error {
        case .sslError(let stack), .unknownError(let stack): stack.first.map { $0 != .eofDuringHandshake } ?? false
        default: false
        }
    }

    /// The reason of one BoringSSL error in plain words, from its description,
    /// `Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at FILE:LINE`.
    static func reason(boringSSLError description: String) -> String {
        guard let start = description.firstRange(of: "error:") else { return description }
        let fields = description[start.lowerBound...].split(separator: ":", maxSplits: 4)
        guard fields.count == 5 else { return description }
        let name = fields[4].prefix { $0 != " " }
        if let alert = ["SSLV3_ALERT_", "TLSV1_ALERT_"].first(where: { name.hasPrefix($0) }) {
            return "the server rejected it (\(words(name.dropFirst(alert.count))))"
        }
        if name == "WRONG_VERSION_NUMBER" { return "the server does not speak TLS" }
        return words(name)
    }

    /// `CERTIFICATE_VERIFY_FAILED` as "certificate verify failed".
    private static func words(_ name: Substring) -> String {
        name.lowercased().replacing("_", with: " ")
    }

    private static func lowercasingFirst(_ text: String) -> String {
        text.prefix(1).lowercased() + text.dropFirst()
    }
}
