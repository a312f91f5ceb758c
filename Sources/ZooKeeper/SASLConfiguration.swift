import ZooKeeperSASL

/// How the client proves who it is to servers that require SASL (Apache ZooKeeper with
/// `authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider`).
///
/// The exchange runs on every connection, after the handshake and before any other request, as
/// the Java client does; the server then knows the session by the `sasl` scheme's identity (the
/// user name), which ACLs such as `sasl:alice:cdrwa` name. Once it succeeds ``ZooKeeperClient/states()``
/// yields ``ZooKeeperClient/State/saslAuthenticated``; when the server refuses the login the
/// client stops with ``ZooKeeperClient/State/authFailed`` and every request fails with
/// `authFailed`, saying why.
///
/// ```swift
/// var configuration = ZooKeeperClient.Configuration()
/// configuration.sasl = .digestMD5(username: "alice", password: password)
/// let zk = try await ZooKeeperClient.connect("zk1:2181", configuration: configuration)
/// ```
///
/// The password is never logged: the value's description leaves it out.
public struct SASLConfiguration: Sendable, CustomStringConvertible {
    /// The mechanism and its credentials.
    public enum Mechanism: Sendable {
        /// DIGEST-MD5 (RFC 2831) with a user of the server's JAAS `Server` section.
        case digestMD5(username: String, password: String)
        /// Kerberos v5 through the system's GSS-API library (MIT krb5's `libgssapi_krb5.so.2`,
        /// loaded when first used): the key of `principal` from `keytab`, or with no keytab the
        /// ticket of the credentials cache (`kinit`; `$KRB5CCNAME`), of `principal` or the
        /// cache's own with no principal. `$KRB5_CONFIG` names another krb5.conf.
        case gssapi(principal: String?, keytab: String?)
    }

    /// The mechanism and its credentials.
    public var mechanism: Mechanism
    /// The service the server runs as: the first part of the DIGEST-MD5 digest-uri and of the
    /// server's Kerberos principal (`zookeeper/HOST`).
    public var serviceName = "zookeeper"
    /// The server's name in the exchange: the DIGEST-MD5 digest-uri's second part, the host of
    /// the server's Kerberos principal. nil: ``digestMD5ServerName`` for DIGEST-MD5, which Apache
    /// ZooKeeper's server requires and its Java client sends; for GSSAPI the host name of the
    /// connect string's entry being connected to, as the Java client takes it.
    public var serverHost: String?

    /// The server name of DIGEST-MD5 logins: a constant shared by Apache ZooKeeper's server and
    /// clients (the digest-uri is `zookeeper/zk-sasl-md5`), not the host name.
    public static let digestMD5ServerName = "zk-sasl-md5"

    /// - Parameter mechanism: the mechanism and its credentials.
    public init(mechanism: Mechanism) {
        self.mechanism = mechanism
    }

    /// DIGEST-MD5 as `username` with `password`.
    public static func digestMD5(username: String, password: String) -> SASLConfiguration {
        SASLConfiguration(mechanism: .digestMD5(username: username, password: password))
    }

    /// Kerberos v5 (GSSAPI) as `principal` with its key from `keytab`, or from the ticket cache.
    public static func gssapi(principal: String? = nil, keytab: String? = nil) -> SASLConfiguration {
        SASLConfiguration(mechanism: .gssapi(principal: principal, keytab: keytab))
    }

    /// The mechanism's name (`DIGEST-MD5`, `GSSAPI`).
    public var mechanismName: String {
        switch mechanism {
        case .digestMD5: "DIGEST-MD5"
        case .gssapi: "GSSAPI"
        }
    }

    /// The identity the client logs in as (for GSSAPI without a principal, the ticket cache's).
    public var username: String {
        switch mechanism {
        case .digestMD5(let username, _): username
        case .gssapi(let principal, _): principal ?? "the ticket cache's principal"
        }
    }

    /// The mechanism and user, without the password.
    public var description: String {
        if case .gssapi(nil, _) = mechanism { return "GSSAPI with the ticket cache" }
        return "\(mechanismName) as \(username)"
    }

    /// A fresh client state machine for one connection to `host`.
    func makeMechanism(host: String) -> any SASLClientMechanism {
        switch mechanism {
        case .digestMD5(let username, let password):
            DigestMD5Client(
                username: username, password: password, service: serviceName,
                host: serverHost ?? Self.digestMD5ServerName)
        case .gssapi(let principal, let keytab):
            GSSAPIClient(service: serviceName, host: serverHost ?? host, principal: principal, keytab: keytab)
        }
    }
}
