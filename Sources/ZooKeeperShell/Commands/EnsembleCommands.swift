import ArgumentParser
import ProcessSupport
import ZooKeeper

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// zkCli's config: the ensemble's dynamic configuration.
struct ConfigCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Print the ensemble's configuration (/zookeeper/config).")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Flag(name: .short, help: "Print only the version and the servers' client addresses.") var clientAddresses = false
    @Flag(name: .short, help: "Also print the stat.") var stat = false
    @Flag(name: .short, help: "Set a watch on the configuration.") var watch = false

    func run(in shell: ShellContext) async throws {
        let zk = try await shell.zk()
        let data: [UInt8]
        let stat: Stat
        if watch {
            let result = try await zk.watchData(Self.path)
            (data, stat) = (result.data, result.stat)
            shell.watching(Self.path, result.watch)
        } else {
            let config = try await zk.getConfig()
            (data, stat) = (config.data, config.stat)
        }
        guard !data.isEmpty else {
            throw ShellError(
                "the server has no dynamic configuration (a standalone server, or one without reconfigEnabled)")
        }
        Self.print(data, stat: self.stat ? stat : nil, clientAddressesOnly: clientAddresses, in: shell)
    }

    static let path = "/zookeeper/config"

    /// Prints a configuration as it is (or its version and client addresses), then the stat if given.
    static func print(_ data: [UInt8], stat: Stat?, clientAddressesOnly: Bool = false, in shell: ShellContext) {
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init)
        let version = lines.first { $0.hasPrefix("version=") }.map { String($0.dropFirst("version=".count)) } ?? ""
        // server.N=host:quorum:election[:role][;client address]
        let clients = lines.filter { $0.hasPrefix("server.") }.compactMap { line in
            line.split(separator: ";", maxSplits: 1).dropFirst().first.map(String.init)
        }
        if shell.json {
            var object: [String: Any] = ["config": text, "version": version, "clientAddresses": clients]
            if let stat { object["stat"] = Formatting.json(stat) }
            return shell.output.json(object)
        }
        if clientAddressesOnly {
            shell.output.line(([version] + [clients.joined(separator: ",")]).joined(separator: " "))
        } else {
            shell.output.data(data, endingLine: stat != nil)
        }
        if let stat { shell.output.line(Formatting.text(stat)) }
    }
}

/// zkCli's reconfig: changes the ensemble's membership (needs reconfigEnabled and admin rights).
struct ReconfigCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconfig",
        abstract: "Change the ensemble's membership: add or remove servers, or give the new member list.",
        usage: """
            zk reconfig [-s] [-v VERSION] (-add SERVER... | -remove ID... | -members SERVERS | -file PATH)
            """,
        discussion: """
            Servers are given as server.ID=HOST:QUORUM_PORT:ELECTION_PORT[:ROLE];[CLIENT_HOST:]CLIENT_PORT. \
            The server must run with reconfigEnabled=true, and the session needs the right to write \
            /zookeeper/config (the super user, or skipACL on the server). Prints the new configuration.
            """)
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Flag(name: .short, help: "Also print the new configuration's stat.") var stat = false
    @Option(
        name: .short,
        help: ArgumentHelp(
            "Change only if the configuration's version (hex, as in its version= line) is still this.",
            valueName: "version"))
    var version: String?
    @Option(
        name: [.customLong("add", withSingleDash: true), .customLong("add")],
        help: ArgumentHelp("Servers to add (repeatable; or comma-separated).", valueName: "server"))
    var add: [String] = []
    @Option(
        name: [.customLong("remove", withSingleDash: true), .customLong("remove")],
        help: ArgumentHelp("Server ids to remove (repeatable; or comma-separated).", valueName: "id"))
    var remove: [String] = []
    @Option(
        name: [.customLong("members", withSingleDash: true), .customLong("members")],
        help: ArgumentHelp("The whole new member list, comma-separated.", valueName: "servers"))
    var members: String?
    @Option(
        name: [.customLong("file", withSingleDash: true), .customLong("file")],
        help: ArgumentHelp("A file of server.ID=... lines: the whole new member list.", valueName: "file"),
        completion: .file())
    var file: String?

    func validate() throws {
        let incremental = !add.isEmpty || !remove.isEmpty
        guard [incremental, members != nil, file != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("give -add/-remove, or -members, or -file")
        }
        if let version, Self.configVersion(version) == nil {
            throw ValidationError("-v takes the configuration's version in hex, got '\(version)'")
        }
    }

    func run(in shell: ShellContext) async throws {
        var newMembers = members
        if let file {
            let text: String
            switch FileDescriptorIO.readFile(file) {
            case .success(let bytes): text = String(decoding: bytes, as: UTF8.self)
            case .failure(let error): throw ShellError(error.message, status: ExitStatus.usage)
            }
            let servers = text.split(separator: "\n").map { $0.trimmingWhitespace() }.filter {
                $0.hasPrefix("server.")
            }
            guard !servers.isEmpty else {
                throw ShellError("\(file) names no server.ID= lines", status: ExitStatus.usage)
            }
            newMembers = servers.joined(separator: ",")
        }
        let config = try await shell.zk().reconfig(
            joining: add.isEmpty ? nil : add.joined(separator: ","),
            leaving: remove.isEmpty ? nil : remove.joined(separator: ","), newMembers: newMembers,
            fromConfig: version.flatMap(Self.configVersion) ?? -1)
        ConfigCommand.print(config.data, stat: self.stat ? config.stat : nil, in: shell)
    }

    /// A version as the configuration shows it: hex, with or without 0x.
    static func configVersion(_ text: String) -> Int64? {
        let digits = text.hasPrefix("0x") ? String(text.dropFirst(2)) : text
        return UInt64(digits, radix: 16).map { Int64(bitPattern: $0) }
    }
}
