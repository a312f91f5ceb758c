import ArgumentParser
import ZooKeeper
import ZooKeeperProtocol

struct Sync: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Wait until the server has caught up with the leader.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The node.", completion: .znode) var path: String = "/"

    func run(in shell: ShellContext) async throws {
        try await shell.zk().sync(shell.resolve(path))
        if shell.interactive { shell.output.line("Sync is OK") }
    }
}

struct AllChildrenNumber: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "getAllChildrenNumber", abstract: "Count every descendant of a node.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The node.", completion: .znode) var path: String = "/"

    func run(in shell: ShellContext) async throws {
        let count = try await shell.zk().getAllChildrenNumber(shell.resolve(path))
        if shell.json { return shell.output.json(["count": count]) }
        shell.output.line("\(count)")
    }
}

struct Ephemerals: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "getEphemerals", abstract: "List this session's ephemeral nodes (under a prefix).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "A path prefix.", completion: .znode) var prefix: String = "/"

    func run(in shell: ShellContext) async throws {
        let paths = try await shell.zk().getEphemerals(prefix: prefix == "/" ? "/" : shell.resolve(prefix)).sorted()
        if shell.json { return shell.output.json(paths) }
        shell.output.line("[" + paths.joined(separator: ", ") + "]")
    }
}

struct SessionInfo: ShellCommand {
    static let configuration = CommandConfiguration(commandName: "session", abstract: "Print the session's facts.")
    @OptionGroup var global: GlobalOptions

    func run(in shell: ShellContext) async throws {
        let zk = try await shell.zk()
        let session = try await zk.session()
        let ephemerals = try await zk.getEphemerals()
        let timeout = session.timeout.nanoseconds / 1_000_000
        if shell.json {
            return shell.output.json(
                [
                    "id": Formatting.hex(session.id), "timeout": timeout, "state": "\(session.state)",
                    "server": session.server.map { "\($0)" } ?? "", "ephemerals": ephemerals.sorted(),
                ] as [String: Any])
        }
        shell.output.line("session id: \(Formatting.hex(session.id))")
        shell.output.line("timeout: \(timeout) ms")
        shell.output.line("state: \(session.state)")
        shell.output.line("server: \(session.server.map { "\($0)" } ?? "-")")
        shell.output.line("ephemerals: [\(ephemerals.sorted().joined(separator: ", "))]")
    }
}

struct FourLetterWord: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "4lw", abstract: "Send a four-letter word (ruok, srvr, stat, mntr, conf, cons, wchs, ...).",
        aliases: ["four-letter"])
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The word.") var word: String

    func validate() throws {
        guard word.count == 4, word.allSatisfy({ $0.isLetter }) else {
            throw ValidationError("a four-letter word has four letters, got '\(word)'")
        }
    }

    func run(in shell: ShellContext) async throws {
        if global.embedded { _ = try await shell.zk() }
        let address = shell.serverAddress.split(separator: ",").first.map(String.init) ?? shell.serverAddress
        let host = address.split(separator: "/").first.map(String.init) ?? address
        guard let connectString = try? ConnectString(host), let server = connectString.hosts.first else {
            throw ShellError("cannot use the server address \(address)", status: ExitStatus.usage)
        }
        let answer = try await FourLetterClient.ask(word, host: server.host, port: server.port)
        shell.output.data(Array(answer.utf8))
    }
}

struct Version: ShellCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print zk's version.")
    @OptionGroup var global: GlobalOptions
    static let version = "0.1.0"

    func run(in shell: ShellContext) async throws {
        shell.output.line("zk \(Self.version) (swift-zookeeper)")
    }
}
