/// What a JAAS `Client` section says about logging in to ZooKeeper.
public enum JAASClientLogin: Hashable, Sendable {
    /// `DigestLoginModule`: DIGEST-MD5 with this user and password.
    case digest(username: String, password: String)
    /// `Krb5LoginModule`: Kerberos, from a keytab for `principal`, or from the ticket cache.
    case kerberos(principal: String?, keytab: String?, useTicketCache: Bool)
}

extension JAASConfiguration {
    /// The DIGEST-MD5 login module's class.
    public static let digestLoginModule = "org.apache.zookeeper.server.auth.DigestLoginModule"
    /// The Kerberos login module's class.
    public static let kerberosLoginModule = "com.sun.security.auth.module.Krb5LoginModule"

    /// How section `name` (ZooKeeper's clients read `Client`) logs in; throws when the section
    /// is missing or names neither of the modules ZooKeeper clients use.
    public func clientLogin(section name: String = "Client") throws(SASLError) -> JAASClientLogin {
        guard let modules = sections[name] else {
            throw SASLError("the JAAS file has no section named \(name)")
        }
        for module in modules {
            switch module.className {
            case Self.digestLoginModule:
                guard let username = module.options["username"], let password = module.options["password"] else {
                    throw SASLError("the JAAS section \(name) needs username and password for DigestLoginModule")
                }
                return .digest(username: username, password: password)
            case Self.kerberosLoginModule:
                let keytab = module.options["useKeyTab"]?.lowercased() == "true" ? module.options["keyTab"] : nil
                return .kerberos(
                    principal: module.options["principal"], keytab: keytab,
                    useTicketCache: module.options["useTicketCache"]?.lowercased() == "true")
            default:
                continue
            }
        }
        throw SASLError("the JAAS section \(name) has neither DigestLoginModule nor Krb5LoginModule")
    }

    /// The DIGEST-MD5 users of section `name` (a server's `Server`): each `user_NAME="password"`
    /// option of its `DigestLoginModule`.
    public func serverUsers(section name: String = "Server") throws(SASLError) -> [String: String] {
        guard let modules = sections[name] else {
            throw SASLError("the JAAS file has no section named \(name)")
        }
        var users: [String: String] = [:]
        for module in modules where module.className == Self.digestLoginModule {
            for (key, value) in module.options where key.hasPrefix("user_") {
                users[String(key.dropFirst("user_".count))] = value
            }
        }
        return users
    }
}
