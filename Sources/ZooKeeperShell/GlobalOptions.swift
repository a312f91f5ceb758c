import ArgumentParser
import ZooKeeper

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Options every command takes: where to connect and how to print.
public struct GlobalOptions: ParsableArguments, Sendable {
    @Option(
        name: .long,
        help: """
            The connect string, host:port[,host:port...][/chroot] (default: $ZK_SERVER, \
            $ZOOKEEPER_CONNECT, 127.0.0.1:2181). Before the command name, -s is short for it.
            """)
    var server: String?

    @Option(name: .long, help: "The session timeout in seconds.")
    var timeout: Double = GlobalOptions.defaultTimeout

    @Option(
        name: .customLong("connect-timeout"),
        help: ArgumentHelp(
            """
            Seconds to wait for a server to accept the session, or to answer a request \
            (default: $ZK_CONNECT_TIMEOUT, 5).
            """,
            valueName: "connect-timeout"))
    var connectTimeoutFlag: Double?

    /// `--connect-timeout`, else `$ZK_CONNECT_TIMEOUT`, else 5 seconds.
    var connectTimeout: Double {
        connectTimeoutFlag ?? Self.environmentConnectTimeout.flatMap(Double.init) ?? 5
    }

    /// Whether `text` is a positive, finite number of seconds.
    static func isSeconds(_ text: String) -> Bool { Double(text).map { $0 > 0 && $0.isFinite } ?? false }

    private static var environmentConnectTimeout: String? {
        ProcessInfo.processInfo.environment[ConnectionEnvironment.connectTimeout]
    }

    static let defaultTimeout: Double = 30

    @Option(
        name: .long,
        help: ArgumentHelp(
            """
            The largest reply to accept, in bytes or with a K, M or G suffix (default: 128M). A longer \
            reply (the children of a node with millions of them) fails its command, not the session.
            """,
            valueName: "size"),
        transform: GlobalOptions.byteCount)
    var maxReply: Int = ZooKeeperClient.Configuration.defaultMaxReplyLength

    @Option(name: .long, help: "Credentials as scheme:secret, e.g. digest:user:password (repeatable; also $ZK_AUTH).")
    var auth: [String] = []

    @Flag(name: .long, help: "Start an in-process server on a free port and connect to it.")
    var embedded = false

    @Flag(
        name: .long,
        help:
            "Also accept a read-only server (one cut off from its quorum). Before the command name, -r is short for it."
    )
    var readOnly = false

    @Flag(
        name: .long,
        help: "Connect with TLS (the servers' secureClientPort), trusting the system's CAs (also $ZK_TLS=1).")
    var tls = false

    @Option(
        name: .customLong("tls-ca"),
        help: "Trust the CA certificates in this PEM file; implies --tls (also $ZK_TLS_CA).",
        completion: .file(extensions: ["pem", "crt"]))
    var tlsCA: String?

    @Option(
        name: .customLong("tls-cert"),
        help: "Present this PEM client certificate (chain); implies --tls (also $ZK_TLS_CERT).",
        completion: .file(extensions: ["pem", "crt"]))
    var tlsCertificate: String?

    @Option(
        name: .customLong("tls-key"), help: "The client certificate's PEM private key (also $ZK_TLS_KEY).",
        completion: .file(extensions: ["pem", "crt", "key"]))
    var tlsKey: String?

    @Flag(name: .long, help: "With TLS, accept any server certificate (testing only).")
    var insecureSkipTLSVerify = false

    @Option(
        name: .long,
        help: """
            Log in with SASL: DIGEST-MD5 (a user of the servers' JAAS Server section) or GSSAPI             (Kerberos) (also $ZK_SASL).
            """,
        completion: .list(["DIGEST-MD5", "GSSAPI"]))
    var sasl: String?

    @Option(name: .customLong("sasl-user"), help: "The SASL user; implies --sasl DIGEST-MD5 (also $ZK_SASL_USER).")
    var saslUser: String?

    @Option(
        name: .customLong("sasl-password-file"),
        help: "Read the SASL password from the first line of this file (else $ZK_SASL_PASSWORD).",
        completion: .file())
    var saslPasswordFile: String?

    @Option(
        name: .customLong("sasl-service"), help: "The servers' SASL service name (default: zookeeper).")
    var saslService: String?

    @Option(
        name: .customLong("sasl-host"),
        help: """
            The servers' name in the SASL exchange (default: zk-sasl-md5 for DIGEST-MD5, the connect             string's host for GSSAPI, as Java clients).
            """)
    var saslHost: String?

    @Option(
        name: .long, help: "With GSSAPI, take the principal's key from this keytab instead of the ticket cache.",
        completion: .file())
    var keytab: String?

    @Option(name: .long, help: "With GSSAPI, the Kerberos principal to log in as (default: the ticket cache's).")
    var principal: String?

    @Option(
        name: .long, help: "Log in as this JAAS file's client section says (also $ZK_JAAS).", completion: .file())
    var jaas: String?

    @Option(name: .customLong("jaas-section"), help: "The JAAS file's section to read (default: Client).")
    var jaasSection: String?

    public init() {}

    public func validate() throws {
        if connectTimeoutFlag == nil, let text = Self.environmentConnectTimeout, !Self.isSeconds(text) {
            throw ValidationError(
                "$\(ConnectionEnvironment.connectTimeout) must be a positive number of seconds, got '\(text)'")
        }
        guard timeout > 0, connectTimeout > 0 else { throw ValidationError("timeouts must be positive") }
        if (tlsCertificate == nil) != (tlsKey == nil) {
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        guard maxReply >= 1024 else { throw ValidationError("--max-reply must be at least 1K, got \(maxReply) bytes") }
        for credential in auth where !credential.contains(":") {
            throw ValidationError("--auth takes scheme:secret, got '\(credential)'")
        }
    }
}

extension GlobalOptions {
    /// A size in bytes: digits, then optionally K, M or G (powers of 1024).
    static func byteCount(_ text: String) throws -> Int {
        let units: [Character: Int] = ["K": 10, "M": 20, "G": 30]
        var digits = Substring(text)
        var shift = 0
        if let last = text.last?.uppercased().first, let unit = units[last] {
            digits = digits.dropLast()
            shift = unit
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let count = Int(digits), count > 0,
            count <= Int(Int32.max) >> shift
        else {
            throw ValidationError("expected a size such as 4194304, 512K, 64M or 1G, got '\(text)'")
        }
        return count << shift
    }
}

/// --json, which every command takes (and zk itself, for every command of a script): apart from
/// the connection options so that each command's help and completion show it.
public struct OutputOptions: ParsableArguments, Sendable {
    @Flag(name: .long, help: "Print JSON (JSON Lines for streams).")
    var json = false

    public init() {}
}

extension GlobalOptions {
    /// Before the command name, `-s` means `--server`, `-c` `--command` and `-f` `--file`; after
    /// it, commands use those letters as zkCli does (`stat -s`, `create -s`, `removewatches -c`).
    /// zkCli.sh's own options are accepted there too: `-server HOST:PORT`, `-timeout MS` (in
    /// milliseconds) and `-r`. Rewrites the arguments accordingly.
    static func expandingShorthands(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var commandSeen = false
        var timeoutInMilliseconds = false
        for (index, argument) in arguments.enumerated() {
            if timeoutInMilliseconds {
                timeoutInMilliseconds = false
                result.append(Double(argument).map { "\($0 / 1000)" } ?? argument)
                continue
            }
            if !commandSeen, let long = zkCliOption(argument) {
                result.append(long)
                timeoutInMilliseconds = argument == "-timeout"
                continue
            }
            if !commandSeen, argument.utf8.count >= 2, argument.first == "-", !argument.hasPrefix("--"),
                let name = longName(of: argument.dropFirst().first!)
            {
                // -s HOST, or -sHOST.
                result.append(name)
                if argument.count > 2 { result.append(String(argument.dropFirst(2))) }
                continue
            }
            if !commandSeen && !argument.hasPrefix("-") && (index == 0 || !takesValue(arguments[index - 1])) {
                commandSeen = true
            }
            result.append(argument)
        }
        return result
    }

    /// Where the command name is in arguments given to zk (after ``expandingShorthands(_:)``):
    /// the first word that is neither an option before it nor an option's value.
    static func commandIndex(in arguments: [String]) -> Int? {
        arguments.indices.first { index in
            let argument = arguments[index]
            if argument == "--" { return false }
            return !argument.hasPrefix("-") && (index == 0 || !takesValue(arguments[index - 1]))
        }
    }

    /// The connect string zk uses: the one given with --server, else $ZK_SERVER, else
    /// $ZOOKEEPER_CONNECT, else the local default.
    static func connectString(given server: String?, environment: (String) -> String?) -> String {
        server ?? environment(ConnectionEnvironment.server) ?? environment(ConnectionEnvironment.connect)
            ?? "127.0.0.1:2181"
    }

    /// The option of zk's that one of zkCli.sh's stands for (no dictionary: this runs on the
    /// one-shot reads' direct path, where a dictionary's first use costs a conformance scan).
    private static func zkCliOption(_ argument: String) -> String? {
        switch argument {
        case "-server": "--server"
        case "-timeout": "--timeout"
        case "-r": "--read-only"
        // Not supported: left as they are, for the parser to reject by name (not read as
        // -c LIENT-CONFIGURATION).
        case "-client-configuration", "-waitforconnection": argument
        default: nil
        }
    }

    /// The long option a letter before the command stands for.
    private static func longName(of letter: Character) -> String? {
        switch letter {
        case "s": "--server"
        case "c": "--command"
        case "f": "--file"
        default: nil
        }
    }

    /// Whether a global option before the command consumes the next word.
    private static func takesValue(_ argument: String) -> Bool {
        [
            "-s", "--server", "-server", "--timeout", "-timeout", "--connect-timeout", "--auth", "-c", "--command",
            "-f", "--file", "--tls-ca", "-client-configuration", "--tls-cert", "--tls-key", "--sasl", "--sasl-user",
            "--sasl-password-file", "--sasl-service", "--sasl-host", "--keytab", "--principal", "--jaas",
            "--jaas-section", "--max-reply",
        ].contains(argument)
    }
}
