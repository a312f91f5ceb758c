import Logging
import NIOSSL
import ZooKeeperProtocol

extension ZooKeeperClient {
    /// How the client connects and behaves.
    public struct Configuration: Sendable {
        /// The requested session timeout; the server clamps it to its own bounds (by default 2 to 20
        /// ticks, 4 to 40 seconds).
        public var sessionTimeout: Duration = .seconds(30)
        /// How long `connect` waits for the first session before it fails with `connectFailed`;
        /// nil means the session timeout.
        public var connectTimeout: Duration?
        /// Whether `connect` gives up before its connect timeout when waiting cannot help: when
        /// every server, twice in a row, refused the connection (nothing listens on the port), has
        /// a name that does not resolve, answered like another kind of server, or failed the TLS
        /// handshake. Only the first session is concerned: a client that had one keeps trying
        /// until it is closed. Turn it off to keep trying for the whole connect timeout (while a
        /// server starts, say).
        public var failFast = true
        /// How long one request may wait for its reply, after which it fails with
        /// `operationTimeout`. The time it spends waiting for a connection counts: a request made
        /// while no server is connected waits for the client to reconnect, and without a limit
        /// (nil, the default) it waits as long as that takes; a request already sent when the
        /// connection drops fails with `connectionLoss` whatever this is.
        public var requestTimeout: Duration?
        /// Whether a read-only server (one cut off from its quorum) is acceptable.
        public var allowReadOnly = false
        /// Whether to start a new session after the old one expired (kazoo's behaviour); when false
        /// the client stays `expired` and every request fails with SessionExpired.
        public var recreateSessionOnExpiry = true
        /// Whether to try the hosts in random order (as ZooKeeper's clients do) rather than as written.
        public var shuffleHosts = true
        /// An existing session to resume (`ZooKeeperClient.session().credentials`), as the Java
        /// client's `ZooKeeper(connectString, timeout, watcher, sessionId, passwd)` does.
        public var resumeSession: SessionCredentials?
        /// Credentials to send on every connection, as `addAuth` would.
        public var authentication: [Authentication] = []
        /// SASL authentication on every connection (DIGEST-MD5), before any request; nil: none.
        public var sasl: SASLConfiguration?
        /// The largest request sent to a server (its `jute.maxbuffer`, 1 MiB less one byte by
        /// default: a server drops a connection that sends more); larger requests fail with
        /// `badArguments` before anything is sent.
        public var maxFrameLength = defaultMaxFrameLength
        /// The largest reply accepted from a server, in bytes (128 MiB by default). Servers send
        /// replies of any size (the children of a node with a million children take tens of
        /// megabytes), so this limit is no protocol rule: it bounds the memory one reply may take.
        /// A longer reply is skipped as it arrives, and its request fails with `replyTooLarge`;
        /// the connection and the other requests go on.
        public var maxReplyLength = Configuration.defaultMaxReplyLength
        /// TLS for every connection (the servers' `secureClientPort`), or nil for plain TCP.
        /// Certificates are checked against the host name of the connect string, or the IP
        /// address when the connect string gives one.
        public var tls: TLSConfiguration?
        /// Where diagnostics go. Silent by default: a library must not write to the application's
        /// stdout; pass a logger to see connection and session events.
        public var logger = Logger(label: "zookeeper.client", factory: { _ in SwiftLogNoOpLogHandler() })

        /// The default ``maxReplyLength``: 128 MiB.
        public static let defaultMaxReplyLength = 128 << 20

        public init() {}
    }
}

extension ZooKeeperClient {
    /// What identifies a session to a server: enough to resume it from another client. Printed,
    /// it shows the id only.
    public struct SessionCredentials: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible,
        CustomReflectable
    {
        /// The session id.
        public var id: Int64
        /// The session password the server issued.
        public var password: [UInt8]

        /// The session `id` with its `password`.
        public init(id: Int64, password: [UInt8]) {
            self.id = id
            self.password = password
        }

        /// The session id in hexadecimal, as ZooKeeper prints it; never the password.
        public var description: String { "session 0x\(String(UInt64(bitPattern: id), radix: 16))" }
        public var debugDescription: String { description }
        public var customMirror: Mirror { Mirror(self, children: ["id": id]) }
    }

    /// Credentials for an authentication scheme, sent as `addAuth(scheme:credentials:)` sends them.
    /// Printed, it shows the scheme only.
    public struct Authentication: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible,
        CustomReflectable
    {
        /// The scheme, such as `digest`.
        public var scheme: String
        /// The scheme's credentials.
        public var credentials: [UInt8]

        /// Credentials for `scheme`.
        public init(scheme: String, credentials: [UInt8]) {
            self.scheme = scheme
            self.credentials = credentials
        }

        /// Digest credentials: `user:password`.
        public static func digest(user: String, password: String) -> Authentication {
            Authentication(scheme: "digest", credentials: Array("\(user):\(password)".utf8))
        }

        /// The scheme, never the credentials.
        public var description: String { "\(scheme) credentials" }
        public var debugDescription: String { description }
        public var customMirror: Mirror { Mirror(self, children: ["scheme": scheme]) }
    }
}
