import ArgumentParser

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
    var timeout: Double = 30

    @Option(name: .long, help: "Seconds to wait for a server to accept the session.")
    var connectTimeout: Double = 5

    @Option(name: .long, help: "Credentials as scheme:secret, e.g. digest:user:password (repeatable; also $ZK_AUTH).")
    var auth: [String] = []

    @Flag(name: .long, help: "Start an in-process server on a free port and connect to it.")
    var embedded = false

    @Flag(name: .long, help: "Print JSON (JSON Lines for streams).")
    var json = false

    public init() {}

    public func validate() throws {
        guard timeout > 0, connectTimeout > 0 else { throw ValidationError("timeouts must be positive") }
        for credential in auth where !credential.contains(":") {
            throw ValidationError("--auth takes scheme:secret, got '\(credential)'")
        }
    }
}

extension GlobalOptions {
    /// `-s` before the command name means `--server` (after it, commands use `-s` as zkCli does:
    /// stat, sequential). Rewrites the arguments accordingly.
    static func expandingServerShorthand(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var commandSeen = false
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if !commandSeen && argument == "-s" {
                result.append("--server")
            } else if !commandSeen && argument.hasPrefix("-s") && argument.count > 2 {
                result += ["--server", String(argument.dropFirst(2))]
            } else {
                if !commandSeen && !argument.hasPrefix("-") && (index == 0 || !takesValue(arguments[index - 1])) {
                    commandSeen = true
                }
                result.append(argument)
            }
            index += 1
        }
        return result
    }

    /// Whether a global option before the command consumes the next word.
    private static func takesValue(_ argument: String) -> Bool {
        ["-s", "--server", "--timeout", "--connect-timeout", "--auth", "-c", "-f"].contains(argument)
    }
}
