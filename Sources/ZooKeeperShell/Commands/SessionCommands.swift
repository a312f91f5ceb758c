import ArgumentParser
import ZooKeeper
import ZooKeeperProtocol

struct SyncCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Wait until the server has caught up with the leader.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The node.", completion: .znode) var path: String = "/"

    func run(in shell: ShellContext) async throws {
        try await shell.zk().sync(shell.resolve(path))
        if shell.json { return shell.output.json(["path": shell.resolve(path), "synced": true]) }
        if shell.interactive { shell.output.line("Sync is OK") }
    }
}

struct AllChildrenNumberCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "getAllChildrenNumber", abstract: "Count every descendant of a node.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The node.", completion: .znode) var path: String = "/"

    func run(in shell: ShellContext) async throws {
        let count = try await shell.zk().getAllChildrenNumber(shell.resolve(path))
        if shell.json { return shell.output.json(["count": count]) }
        shell.output.line("\(count)")
    }
}

struct EphemeralsCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "getEphemerals", abstract: "List this session's ephemeral nodes (under a prefix).")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "A path prefix.", completion: .znode) var prefix: String = "/"

    func run(in shell: ShellContext) async throws {
        let paths = try await shell.zk().getEphemerals(prefix: prefix == "/" ? "/" : shell.resolve(prefix)).sorted()
        if shell.json { return shell.output.json(paths) }
        shell.output.line("[" + paths.joined(separator: ", ") + "]")
    }
}

struct SessionInfoCommand: ShellCommand {
    static let configuration = CommandConfiguration(commandName: "session", abstract: "Print the session's facts.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions

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

struct FourLetterWordCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "4lw", abstract: "Send a four-letter word (ruok, srvr, stat, mntr, conf, cons, wchs, ...).",
        discussion: """
            srvr, mntr and ruok go to every server of the connect string (--all), others to the \
            first (--no-all); with several servers each answer follows a line '[HOST:PORT]'. With \
            --json: an array, an object a server, {"server": ..., ...}: mntr's and srvr's answers as \
            their fields (numbers as numbers), ruok's as "imok": true, others as "answer": TEXT. A \
            word the server refuses (not in its 4lw.commands.whitelist) fails with status 1; a \
            server that cannot be reached, with status 7.
            """,
        aliases: ["four-letter"])
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Flag(
        inversion: .prefixedNo,
        help: "Ask every server of the connect string, not only the first (default: for srvr, mntr and ruok).")
    var all: Bool?
    @Argument(help: "The word.", completion: .list(Self.words)) var word: String

    /// The words ZooKeeper 3.8 and 3.9 know.
    static let words = [
        "conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "hash", "isro", "mntr", "ruok", "srst", "srvr",
        "stat", "stmk", "wchc", "wchp", "wchs",
    ]

    func validate() throws {
        guard word.count == 4, word.allSatisfy({ $0.isLetter }) else {
            throw ValidationError("a four-letter word has four letters, got '\(word)'")
        }
    }

    func run(in shell: ShellContext) async throws {
        if global.embedded { _ = try await shell.zk() }
        let address = shell.serverAddress
        let hosts = address.split(separator: "/").first.map(String.init) ?? address
        guard let connectString = try? ConnectString(hosts), !connectString.hosts.isEmpty else {
            throw ShellError("cannot use the server address \(address)", status: ExitStatus.usage)
        }
        let everyServer = all ?? ["srvr", "mntr", "ruok"].contains(word)
        let servers = everyServer ? connectString.hosts : [connectString.hosts[0]]
        let answers = await withTaskGroup(of: (Int, Result<String, any Error>).self) { group in
            for (index, server) in servers.enumerated() {
                group.addTask {
                    do {
                        return (
                            index, .success(try await FourLetterClient.ask(word, host: server.host, port: server.port))
                        )
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var answers = [Result<String, any Error>?](repeating: nil, count: servers.count)
            for await (index, answer) in group { answers[index] = answer }
            return answers.map { $0! }
        }
        var status = ExitStatus.success
        var objects: [[String: Any]] = []
        for (server, answer) in zip(servers, answers) {
            let name = "\(server.host):\(server.port)"
            let text: String
            switch answer {
            case .failure(let error):
                status = max(status, shell.report(error))
                continue
            case .success(let answer)
            where answer.hasSuffix("is not executed because it is not in the whitelist.\n")
                || answer.hasSuffix("is not executed because it is not in the whitelist."):
                shell.output.error("zk: \(name): \(answer.trimmingWhitespace())")
                if status == ExitStatus.success { status = ExitStatus.failure }
                continue
            case .success(let answer): text = answer
            }
            if shell.json {
                var object = Self.parse(text, word: word)
                object["server"] = name
                objects.append(object)
            } else {
                if servers.count > 1 { shell.output.line("[\(name)]") }
                shell.output.data(Array(text.utf8), endingLine: servers.count > 1)
            }
        }
        if shell.json { shell.output.json(objects) }
        if status != ExitStatus.success { throw ExitCode(status) }
    }

    /// An answer as JSON fields: mntr's `key<TAB>value` lines and srvr's `Key: value` lines as
    /// fields (numbers as numbers), ruok's `imok` as `"imok": true`, others as `"answer"`.
    static func parse(_ text: String, word: String) -> [String: Any] {
        func value(_ text: Substring) -> Any {
            let trimmed = text.trimmingWhitespace()
            if let number = Int64(trimmed) { return number }
            if let number = Double(trimmed), trimmed.contains(".") { return number }
            return trimmed
        }
        var object: [String: Any] = [:]
        switch word {
        case "ruok":
            object["imok"] = text == "imok"
        case "mntr":
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: "\t", maxSplits: 1)
                if parts.count == 2 { object[String(parts[0])] = value(parts[1]) }
            }
        case "srvr":
            for line in text.split(separator: "\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let key = String(line[..<colon].trimmingWhitespace().lowercased().map { $0 == " " ? "_" : $0 })
                let text = line[line.index(after: colon)...]
                // "Latency min/avg/max: 0/0.5/3": latency_min, latency_avg, latency_max.
                let names = key.split(separator: "_").last?.split(separator: "/") ?? []
                let values = text.split(separator: "/")
                if names.count > 1 && names.count == values.count {
                    let stem = key.split(separator: "_").dropLast().joined(separator: "_")
                    for (name, part) in zip(names, values) { object[stem + "_" + name] = value(part) }
                } else {
                    object[key] = value(text)
                }
            }
        default:
            object["answer"] = text
        }
        return object
    }
}

struct VersionCommand: ShellCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print zk's version.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    static let version = "0.1.0"
    static let line = "zk \(version) (swift-zookeeper)"

    func run(in shell: ShellContext) async throws {
        shell.json ? shell.output.json(["version": Self.version]) : shell.output.line(Self.line)
    }
}
