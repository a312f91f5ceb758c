import ZooKeeper
import ZooKeeperSASL

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension GlobalOptions {
    /// The SASL login the flags and $ZK_SASL, $ZK_SASL_USER, $ZK_SASL_PASSWORD, $ZK_JAAS ask for,
    /// with every file read now (so a bad one is reported before connecting); nil for none.
    func saslConfiguration(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> SASLConfiguration?
    {
        let mechanism = (sasl ?? environment[ConnectionEnvironment.sasl]).map { $0.uppercased() }
        let user = saslUser ?? environment[ConnectionEnvironment.saslUser]
        var configuration: SASLConfiguration
        if let jaasPath = jaas ?? environment[ConnectionEnvironment.jaas] {
            configuration = try Self.jaasLogin(jaasPath, section: jaasSection ?? "Client", mechanism: mechanism)
        } else if mechanism == "GSSAPI" || (mechanism == nil && (keytab != nil || principal != nil)) {
            configuration = .gssapi(principal: principal, keytab: keytab)
        } else if mechanism != nil || user != nil {
            guard mechanism == nil || mechanism == "DIGEST-MD5" else {
                throw ShellError(
                    "unknown SASL mechanism '\(sasl ?? environment[ConnectionEnvironment.sasl] ?? "")'; zk knows DIGEST-MD5 and GSSAPI",
                    status: ExitStatus.usage)
            }
            guard let user else {
                throw ShellError(
                    "a DIGEST-MD5 login needs a user: --sasl-user NAME or $ZK_SASL_USER", status: ExitStatus.usage)
            }
            configuration = .digestMD5(username: user, password: try password(environment: environment))
        } else {
            guard jaasSection == nil, saslPasswordFile == nil, saslService == nil, saslHost == nil else {
                throw ShellError(
                    "--jaas-section, --sasl-password-file, --sasl-service and --sasl-host need --sasl or --jaas",
                    status: ExitStatus.usage)
            }
            return nil
        }
        if let saslService { configuration.serviceName = saslService }
        if let saslHost { configuration.serverHost = saslHost }
        return configuration
    }

    /// The password: the first line of --sasl-password-file, else $ZK_SASL_PASSWORD (never a flag,
    /// which every user of the machine could read in the process list).
    private func password(environment: [String: String]) throws -> String {
        if let saslPasswordFile {
            guard let data = FileManager.default.contents(atPath: saslPasswordFile) else {
                throw ShellError("cannot read the SASL password file \(saslPasswordFile)", status: ExitStatus.usage)
            }
            // The first line, whether "\n" or "\r\n" ends it.
            let text = String(decoding: data, as: UTF8.self)
            return String(text.prefix { !$0.isNewline })
        }
        guard let password = environment[ConnectionEnvironment.saslPassword] else {
            throw ShellError(
                "a DIGEST-MD5 login needs a password: $ZK_SASL_PASSWORD or --sasl-password-file FILE",
                status: ExitStatus.usage)
        }
        return password
    }

    /// The login of a JAAS file's client section.
    private static func jaasLogin(_ path: String, section: String, mechanism: String?) throws -> SASLConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ShellError("cannot read the JAAS file \(path)", status: ExitStatus.usage)
        }
        let login: JAASClientLogin
        do {
            login = try JAASConfiguration(parsing: String(decoding: data, as: UTF8.self)).clientLogin(section: section)
        } catch {
            throw ShellError("\(path): \(error.message)", status: ExitStatus.usage)
        }
        switch login {
        case .digest(let username, let password):
            guard mechanism == nil || mechanism == "DIGEST-MD5" else {
                throw ShellError(
                    "the JAAS section \(section) of \(path) is a DIGEST-MD5 login, not \(mechanism!)",
                    status: ExitStatus.usage)
            }
            return .digestMD5(username: username, password: password)
        case .kerberos(let principal, let keytab, _):
            guard mechanism == nil || mechanism == "GSSAPI" else {
                throw ShellError(
                    "the JAAS section \(section) of \(path) is a Kerberos (GSSAPI) login, not \(mechanism!)",
                    status: ExitStatus.usage)
            }
            return .gssapi(principal: principal, keytab: keytab)
        }
    }
}
