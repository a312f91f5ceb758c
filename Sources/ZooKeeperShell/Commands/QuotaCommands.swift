import ArgumentParser
import ZooKeeper

/// zkCli's setquota: limits on a subtree's node count and data bytes, soft (-n, -b) and hard (-N, -B).
struct SetQuotaCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "setquota",
        abstract: "Set a quota on a subtree: soft (-n, -b) or hard (-N, -B) limits on nodes and bytes.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .customShort("n"), help: ArgumentHelp("Soft limit on the number of nodes.", valueName: "count"))
    var count: Int64?
    @Option(name: .customShort("b"), help: ArgumentHelp("Soft limit on the bytes of data.", valueName: "bytes"))
    var bytes: Int64?
    @Option(name: .customShort("N"), help: ArgumentHelp("Hard limit on the number of nodes.", valueName: "count"))
    var countHardLimit: Int64?
    @Option(name: .customShort("B"), help: ArgumentHelp("Hard limit on the bytes of data.", valueName: "bytes"))
    var byteHardLimit: Int64?
    @Argument(help: "The subtree's root node.", completion: .znode) var path: String

    func validate() throws {
        guard count != nil || bytes != nil || countHardLimit != nil || byteHardLimit != nil else {
            throw ValidationError("give at least one of -n, -b, -N, -B")
        }
        if let count, count <= 0 { throw ValidationError("node count limits must be greater than zero") }
        if let bytes, bytes < 0 { throw ValidationError("byte limits must be zero or more") }
        if let hard = countHardLimit, hard <= 0 { throw ValidationError("node count limits must be greater than zero") }
        if let hard = byteHardLimit, hard < 0 { throw ValidationError("byte limits must be zero or more") }
    }

    func run(in shell: ShellContext) async throws {
        let quota = Quota(
            count: count ?? -1, bytes: bytes ?? -1, countHardLimit: countHardLimit ?? -1,
            byteHardLimit: byteHardLimit ?? -1)
        try await shell.zk().setQuota(shell.resolve(path), quota)
    }
}

/// zkCli's listquota.
struct ListQuotaCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "listquota", abstract: "Print a subtree's quota and its usage (exit 2 when it has none).")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The subtree's root node.", completion: .znode) var path: String

    func run(in shell: ShellContext) async throws {
        let node = shell.resolve(path)
        let status = try await shell.zk().quota(node)
        let (quota, usage) = (status.quota, status.usage)
        let limits: KeyValuePairs<String, Int64> = [
            "count": quota.count, "bytes": quota.bytes, "countHardLimit": quota.countHardLimit,
            "byteHardLimit": quota.byteHardLimit,
        ]
        if shell.json {
            var object: [String: Any] = [
                "path": node, "quota": Dictionary(uniqueKeysWithValues: limits.map { ($0, $1) }),
            ]
            if let usage { object["usage"] = ["count": usage.count, "bytes": usage.bytes] }
            return shell.output.json(object)
        }
        shell.output.line("quota: " + limits.map { "\($0)=\($1)" }.joined(separator: " "))
        if let usage { shell.output.line("usage: count=\(usage.count) bytes=\(usage.bytes)") }
    }
}

/// zkCli's delquota.
struct DeleteQuotaCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "delquota", abstract: "Remove a subtree's quota, or only the limits named by -n, -b, -N, -B.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Flag(name: .customShort("n"), help: "Only the soft node count limit.") var count = false
    @Flag(name: .customShort("b"), help: "Only the soft bytes limit.") var bytes = false
    @Flag(name: .customShort("N"), help: "Only the hard node count limit.") var countHardLimit = false
    @Flag(name: .customShort("B"), help: "Only the hard bytes limit.") var byteHardLimit = false
    @Argument(help: "The subtree's root node.", completion: .znode) var path: String

    func run(in shell: ShellContext) async throws {
        var limits: Quota.Limits = []
        if count { limits.insert(.count) }
        if bytes { limits.insert(.bytes) }
        if countHardLimit { limits.insert(.countHardLimit) }
        if byteHardLimit { limits.insert(.byteHardLimit) }
        try await shell.zk().deleteQuota(shell.resolve(path), limits: limits)
    }
}
