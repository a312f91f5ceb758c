/// The environment variables that say how zk connects, each named once. The connection options
/// read them as defaults of their flags; the direct read path steps aside for every one in
/// ``securing``, which it cannot honour.
enum ConnectionEnvironment {
    static let server = "ZK_SERVER"
    /// kazoo's and other tools' name for the connect string, read after `ZK_SERVER`.
    static let connect = "ZOOKEEPER_CONNECT"
    static let auth = "ZK_AUTH"
    static let tls = "ZK_TLS"
    static let tlsCA = "ZK_TLS_CA"
    static let tlsCertificate = "ZK_TLS_CERT"
    static let tlsKey = "ZK_TLS_KEY"
    static let sasl = "ZK_SASL"
    static let saslUser = "ZK_SASL_USER"
    /// Read only for a SASL login that one of the variables above (or a flag) asks for.
    static let saslPassword = "ZK_SASL_PASSWORD"
    static let jaas = "ZK_JAAS"
    /// The default of `--connect-timeout`, in seconds.
    static let connectTimeout = "ZK_CONNECT_TIMEOUT"
    /// How long completion of live znode paths waits for the server, in seconds (default 1).
    static let completionTimeout = "ZK_COMPLETION_TIMEOUT"

    /// The variables that ask for credentials, TLS or a SASL login: with any of them set, a
    /// one-shot read goes through the full client (else it would go unauthenticated, in plain
    /// text). A new variable of that kind belongs here; `DirectReadTests` checks that every
    /// variable the connection options' help names is here or is one of the others above.
    static let securing = [auth, tls, tlsCA, tlsCertificate, tlsKey, sasl, saslUser, jaas]
}
