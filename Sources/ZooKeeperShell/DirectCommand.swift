import ZooKeeper
import ZooKeeperProtocol

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one-shot reads that run without the argument parser and without the full client:
/// `zk [-s HOST] get|ls|stat|exists PATH` with their plain flags, on a ``DirectSession``.
///
/// Starting the argument parser (it reflects over the command types) and the NIO client takes
/// a few milliseconds, most of a one-shot command's time; scripts run these reads in loops.
/// What runs here prints exactly what the full command prints, through the same functions.
/// Anything else goes the long way: another command or flag, a repeated option, help,
/// credentials, SASL or TLS (from flags or the environment), `--embedded`, a path that is not valid,
/// and any server that cannot be reached (the full client retries, fails over and reports).
struct DirectCommand {
    enum Read: Equatable {
        case get(withStat: Bool, base64: Bool, hex: Bool)
        case list(withStat: Bool)
        case stat
        case exists
    }

    var read: Read
    /// The node, absolute (as the caller wrote it, without the chroot).
    var node: String
    var server: ConnectString
    var json: Bool

    /// The flags a read takes: its short letters and long names (nil: not a direct read). Each is
    /// a flag of the command's parser definition, under all its spellings (`DirectReadTests`
    /// derives them from argument-parser's description of the command).
    ///
    /// No dictionaries or sets on this path: their first use costs a scan of the binary's protocol
    /// conformances, which is a good part of a one-shot command's time.
    static func flags(of command: String) -> (short: [Character], long: [String])? {
        switch command {
        case "get": (["s", "b", "x"], ["--base64", "--hex"])
        case "ls": (["s"], [])
        case "stat", "exists": ([], [])
        default: nil
        }
    }

    /// The command these arguments (after ``GlobalOptions/expandingShorthands(_:)``) ask for,
    /// or nil when they need the full command line parser or client.
    init?(arguments: [String], environment: (String) -> String?) {
        guard ConnectionEnvironment.securing.allSatisfy({ environment($0) == nil }) else { return nil }
        // A bad $ZK_CONNECT_TIMEOUT is the full client's to report, whatever the server would say.
        if let seconds = environment(ConnectionEnvironment.connectTimeout), !GlobalOptions.isSeconds(seconds) {
            return nil
        }
        var server: String?
        var json = false
        var name: String?
        var letters: [Character] = []
        var longFlags: [String] = []
        var paths: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--server" || argument.hasPrefix("--server=") {
                guard server == nil else { return nil }
                if argument == "--server" {
                    guard index < arguments.count else { return nil }
                    server = arguments[index]
                    index += 1
                } else {
                    server = String(argument.dropFirst("--server=".count))
                }
            } else if argument == "--json" {
                guard !json else { return nil }
                json = true
            } else if name == nil {
                // Before the command: only --server and --json.
                guard Self.flags(of: argument) != nil else { return nil }
                name = argument
            } else if argument.hasPrefix("--") {
                longFlags.append(argument)
            } else if argument.hasPrefix("-") && argument.count > 1 {
                letters += argument.dropFirst()
            } else {
                paths.append(argument)
            }
        }
        guard let name, let accepted = Self.flags(of: name),
            Self.areDistinct(letters), letters.allSatisfy(accepted.short.contains),
            Self.areDistinct(longFlags), longFlags.allSatisfy(accepted.long.contains),
            paths.count == 1 || (name == "ls" && paths.isEmpty),
            let connectString = try? ConnectString(GlobalOptions.connectString(given: server, environment: environment))
        else { return nil }
        let node = ShellContext.resolve(paths.first ?? ".", against: "/")
        guard PathValidation.isValid(node), PathValidation.isValid(Chroot(connectString.chroot).serverPath(node))
        else { return nil }
        // A flag given by letter and by name is given twice.
        let base64 = letters.contains("b") || longFlags.contains("--base64")
        let hex = letters.contains("x") || longFlags.contains("--hex")
        guard !(letters.contains("b") && longFlags.contains("--base64")),
            !(letters.contains("x") && longFlags.contains("--hex"))
        else { return nil }
        switch name {
        case "get": read = .get(withStat: letters.contains("s"), base64: base64, hex: hex)
        case "ls": read = .list(withStat: letters.contains("s"))
        case "stat": read = .stat
        default: read = .exists
        }
        self.node = node
        self.server = connectString
        self.json = json
    }

    private static func areDistinct<Element: Equatable>(_ elements: [Element]) -> Bool {
        elements.indices.allSatisfy { index in !elements[..<index].contains(elements[index]) }
    }

    /// When the arguments are a direct read and a server answers, runs it and exits with its
    /// status; returns otherwise.
    static func runAndExit(_ arguments: [String]) {
        guard
            let command = DirectCommand(arguments: arguments, environment: { getenv($0).map { String(cString: $0) } }),
            let status = command.run()
        else { return }
        exit(status)
    }

    /// Runs the read and prints its result; the exit status, or nil when no server could be
    /// used (nothing has been printed then).
    func run(output: Output = Output(separatesData: false)) -> Int32? {
        guard
            var session = DirectSession(server: server, sessionTimeout: GlobalOptions.defaultTimeout)
        else { return nil }
        let path = Chroot(server.chroot).serverPath(node)
        let status: Int32?
        switch read {
        case .get(let withStat, let base64, let hex):
            guard let reply = session.call(GetDataRequest(path: path)) else { return nil }
            status = finish(reply, as: GetDataRequest.self, output) { response in
                GetCommand.print(
                    response.data ?? [], response.stat, node: node, withStat: withStat, base64: base64, hex: hex,
                    json: json, to: output)
            }
        case .list(let withStat):
            guard let reply = session.call(GetChildren2Request(path: path)) else { return nil }
            status = finish(reply, as: GetChildren2Request.self, output) { response in
                ListCommand.print(
                    response.children, response.stat, node: node, withStat: withStat, json: json, to: output)
            }
        case .stat:
            guard let reply = session.call(ExistsRequest(path: path)) else { return nil }
            status = finish(reply, as: ExistsRequest.self, output) {
                StatCommand.print($0.stat, json: json, to: output)
            }
        case .exists:
            guard let reply = session.call(ExistsRequest(path: path)) else { return nil }
            switch reply.header.error {
            case .ok: status = ExistsCommand.report(true, node: node, json: json, to: output)
            case .noNode: status = ExistsCommand.report(false, node: node, json: json, to: output)
            case let code: status = output.report(ZooKeeperError(code, path: node))
            }
        }
        guard let status else { return nil }
        session.end()
        return status
    }

    /// Prints a response, or reports the server's error as the full command would; nil when the
    /// reply cannot be read (the full client then tries again).
    private func finish<Request: ZooKeeperRequest>(
        _ reply: Reply, as: Request.Type, _ output: Output, print: (Request.Response) -> Void
    ) -> Int32? {
        switch ZooKeeperClient.response(to: Request.self, from: reply, path: node) {
        case .success(let response):
            print(response)
            return ExitStatus.success
        case .failure where reply.header.error == .ok:
            return nil
        case .failure(let error):
            return output.report(error)
        }
    }
}
