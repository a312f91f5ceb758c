import ArgumentParser
import ZooKeeper

/// ACL entries as zkCli writes them: `scheme:id:perms`, comma-separated.
enum ACLArgument {
    static func parse(_ text: String) throws -> [ACL] {
        try text.split(separator: ",").map { entry in
            guard let last = entry.lastIndex(of: ":"), let first = entry.firstIndex(of: ":"), first != last,
                let permissions = Permissions(letters: entry[entry.index(after: last)...]), !permissions.isEmpty
            else {
                throw ShellError(
                    "bad ACL entry '\(entry)': expected scheme:id:perms with perms from cdrwa", status: ExitStatus.usage
                )
            }
            var scheme = String(entry[..<first])
            var id = String(entry[entry.index(after: first)..<last])
            // As in zkCli, a digest id is user:base64(sha1(user:password)), not a clear password.
            if scheme == "world" && id.isEmpty { id = "anyone" }
            if scheme.isEmpty { scheme = "world" }
            return ACL(permissions: permissions, id: Id(scheme: scheme, id: id))
        }
    }
}

struct GetACLCommand: ShellCommand {
    static let configuration = CommandConfiguration(commandName: "getAcl", abstract: "Print a node's ACL.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Flag(name: .short, help: "Also print the stat.") var stat = false
    @Argument(help: "The node.", completion: .znode) var path: String

    func run(in shell: ShellContext) async throws {
        let current = try await shell.zk().getACL(shell.resolve(path))
        if shell.json { return shell.output.json(current.acl.map(Formatting.json)) }
        for entry in current.acl {
            shell.output.line("'\(entry.id.scheme),'\(entry.id.id)")
            shell.output.line(": \(entry.permissions)")
        }
        if self.stat { shell.output.line(Formatting.text(current.stat)) }
    }
}

struct SetACLCommand: ShellCommand {
    static let configuration = CommandConfiguration(commandName: "setAcl", abstract: "Replace a node's ACL.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var expected: ExpectedVersion
    @Flag(name: [.customShort("R"), .customShort("r")], help: "Apply to the whole subtree (-R, as zkCli; or -r).")
    var recursive = false
    @Flag(name: .short, help: "Print the node's stat afterwards.") var stat = false
    @Argument(help: "The node.", completion: .znode) var path: String
    @Argument(help: "scheme:id:perms[,scheme:id:perms...]") var acl: String

    func run(in shell: ShellContext) async throws {
        let entries = try ACLArgument.parse(acl)
        let zk = try await shell.zk()
        let node = shell.resolve(path)
        let result: Stat
        if recursive {
            for entry in try await TreeCommand.walk(zk, node).complete() {
                try await zk.setACL(entry.path, acl: entries)
            }
            guard let stat = try await zk.exists(node) else { throw ZooKeeperError(.noNode, path: node) }
            result = stat
        } else {
            result = try await zk.setACL(node, acl: entries, version: expected.version)
        }
        if shell.json { return shell.output.json(["path": node, "stat": Formatting.json(result)]) }
        if stat { shell.output.line(Formatting.text(result)) }
    }
}

struct AddAuthCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "addauth", abstract: "Add credentials to the session, e.g. `addauth digest user:password`.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The scheme (digest, ...).") var scheme: String
    @Argument(help: "The credentials.") var credentials: String

    func run(in shell: ShellContext) async throws {
        try await shell.zk().addAuth(scheme: scheme, credentials: Array(credentials.utf8))
    }
}

struct WhoAmICommand: ShellCommand {
    static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Print the session's identities.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    func run(in shell: ShellContext) async throws {
        let identities = try await shell.zk().whoAmI()
        if shell.json { return shell.output.json(identities.map { ["scheme": $0.authScheme, "user": $0.user] }) }
        shell.output.line("Auth scheme: User")
        for identity in identities { shell.output.line("\(identity.authScheme): \(identity.user)") }
    }
}

/// `zk digest user:password`: the id of a `digest:` ACL entry, as the server computes it.
struct DigestCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Print the digest ACL id of user:password, user:base64(sha1(user:password)).",
        discussion: """
            The id goes in a digest ACL entry, e.g. setAcl /x digest:$(zk digest alice:secret):cdrwa, or \
            in zk serve --super-digest. Nothing is sent to a server. With --json: {"user": ..., "id": \
            ..., "scheme": "digest"}.
            """)
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: ArgumentHelp("The user and the password.", valueName: "user:password")) var credentials: String

    func validate() throws {
        guard let colon = credentials.firstIndex(of: ":"), colon != credentials.startIndex else {
            throw ValidationError("digest takes user:password, got '\(credentials)'")
        }
    }

    func run(in shell: ShellContext) async throws {
        let user = String(credentials.prefix { $0 != ":" })
        let id = Id.digest(user: user, password: String(credentials.dropFirst(user.count + 1)))
        if shell.json { return shell.output.json(["user": user, "id": id.id, "scheme": id.scheme]) }
        shell.output.line(id.id)
    }
}
