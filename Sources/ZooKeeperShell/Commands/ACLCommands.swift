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

struct GetACL: ShellCommand {
    static let configuration = CommandConfiguration(commandName: "getAcl", abstract: "Print a node's ACL.")
    @OptionGroup var global: GlobalOptions
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

struct SetACL: ShellCommand {
    static let configuration = CommandConfiguration(commandName: "setAcl", abstract: "Replace a node's ACL.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .short, help: ArgumentHelp("Only if the ACL has this version.", valueName: "version")) var version:
        Int32 = -1
    @Flag(name: .short, help: "Apply to the whole subtree.") var recursive = false
    @Argument(help: "The node.", completion: .znode) var path: String
    @Argument(help: "scheme:id:perms[,scheme:id:perms...]") var acl: String

    func run(in shell: ShellContext) async throws {
        let entries = try ACLArgument.parse(acl)
        let zk = try await shell.zk()
        let node = shell.resolve(path)
        if recursive {
            for entry in try await Tree.walk(zk, node).complete() { try await zk.setACL(entry.path, acl: entries) }
        } else {
            try await zk.setACL(node, acl: entries, version: version)
        }
    }
}

struct AddAuth: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "addauth", abstract: "Add credentials to the session, e.g. `addauth digest user:password`.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The scheme (digest, ...).") var scheme: String
    @Argument(help: "The credentials.") var credentials: String

    func run(in shell: ShellContext) async throws {
        try await shell.zk().addAuth(scheme: scheme, credentials: Array(credentials.utf8))
    }
}

struct WhoAmI: ShellCommand {
    static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Print the session's identities.")
    @OptionGroup var global: GlobalOptions

    func run(in shell: ShellContext) async throws {
        let identities = try await shell.zk().whoAmI()
        if shell.json { return shell.output.json(identities.map { ["scheme": $0.authScheme, "user": $0.user] }) }
        shell.output.line("Auth scheme: User")
        for identity in identities { shell.output.line("\(identity.authScheme): \(identity.user)") }
    }
}
