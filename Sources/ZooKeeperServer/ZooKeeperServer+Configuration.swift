import Logging
import NIOSSL
import ZooKeeperProtocol

extension ZooKeeperServer {
    /// How the server listens and behaves; the defaults are Apache ZooKeeper's.
    public struct Configuration: Sendable {
        /// The address to bind: loopback unless asked otherwise.
        public var host = "127.0.0.1"
        /// The client port; 0 picks a free one (see `ZooKeeperServer.port`).
        public var port = 2181
        /// The basic time unit: session timeouts are negotiated between 2 and 20 ticks.
        public var tickTime: Duration = .milliseconds(2000)
        /// The smallest session timeout granted; nil means 2 ticks.
        public var minSessionTimeout: Duration?
        /// The largest session timeout granted; nil means 20 ticks.
        public var maxSessionTimeout: Duration?
        /// Connections allowed from one IP address (`maxClientCnxns`); 0 for no limit.
        public var maxClientConnections = 60
        /// The four-letter words answered (`4lw.commands.whitelist`); `["*"]` for all.
        public var fourLetterWordWhitelist: Set<String> = ["srvr"]
        /// `user:base64(sha1(user:password))` of the super user, who bypasses every ACL.
        public var superDigest: String?
        /// The users who may log in with SASL DIGEST-MD5, by name, with their passwords (a JAAS
        /// `Server` section's `user_NAME="password"` entries); nil: SASL is not offered. A user
        /// logged in is `sasl:NAME` in ACLs, as with Apache's `SASLAuthenticationProvider`.
        public var saslUsers: [String: String]?
        /// Refuse every request but SASL from a connection not logged in with SASL: the reply is
        /// SessionClosedRequireSaslAuth and the connection is closed
        /// (`zookeeper.sessionRequireClientSASLAuth=true`).
        public var requireClientSASLAuth = false
        /// A second port served with TLS (`secureClientPort`; 0 picks a free one, see
        /// ``ZooKeeperServer/securePort``), with ``tls``; nil: none.
        public var securePort: Int?
        /// The TLS server configuration of ``securePort``: certificate, key and the CAs client
        /// certificates must chain to. A verified client certificate's subject DN is the
        /// connection's `x509` identity in ACLs (as with Apache's `X509AuthenticationProvider`);
        /// `certificateVerification` says whether clients must present one
        /// (`.noHostnameVerification`) or may (`.optionalVerification`).
        public var tls: TLSConfiguration?
        /// TTL nodes (`zookeeper.extendedTypesEnabled`).
        public var extendedTypesEnabled = false
        /// The largest frame accepted from a client (`jute.maxbuffer`).
        public var maxFrameLength = defaultMaxFrameLength
        /// How often empty containers and expired TTL nodes are removed.
        public var containerCheckInterval: Duration = .seconds(60)
        /// Where the transaction log and snapshots live; nil keeps everything in memory. With a
        /// directory, every write is on disk (fsync) before its reply is sent, and the state is
        /// recovered from it on start. The directory is in Apache ZooKeeper 3.8's format (its
        /// `dataDir`): either server starts on what the other wrote.
        public var dataDirectory: String?
        /// Transactions between snapshots (the log is rolled at each).
        public var snapshotEvery = 100_000
        /// How snapshots are compressed (`zookeeper.snapshot.compression.method`); any kind is read.
        public var snapshotCompression = SnapshotCompression.none
        /// Where diagnostics go (silent by default).
        public var logger = Logger(label: "zookeeper.server", factory: { _ in SwiftLogNoOpLogHandler() })

        public init() {}

        var minimumTimeout: Int32 { Int32(clamping: (minSessionTimeout ?? tickTime * 2).milliseconds) }
        var maximumTimeout: Int32 { Int32(clamping: (maxSessionTimeout ?? tickTime * 20).milliseconds) }

        func allows(_ word: String) -> Bool {
            fourLetterWordWhitelist.contains("*") || fourLetterWordWhitelist.contains(word)
                || (word == "isro" && fourLetterWordWhitelist.contains("srvr"))
        }
    }
}
