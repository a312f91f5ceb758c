import ArgumentParser
import ZooKeeper

/// `zk bench`: throughput or latency of the basic operations against the connected server, as
/// zk-smoketest and `etcdctl check perf` measure them.
struct BenchCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure a server's throughput (or latency) for creates, sets, gets, watches and deletes.",
        discussion: """
            Creates --count znodes of --size bytes under --path, then sets, gets, checks (exists) and \
            lists (getChildren) each, with --window requests in flight on each of --sessions sessions. \
            watch sets a data watch on every node from one more session; notify sets every node and \
            lasts until all the watch events have arrived there. Finally it deletes the nodes (and \
            --path, if it made it). For each operation it prints ops/s, the elapsed time and this \
            process's CPU time (user + system) per operation; with --embedded that includes the server.

            --latency sends one request at a time on one session and prints latency percentiles; \
            notify is then the time from a set request to the other session's event.

            --batch N sends create, set, get, exists, children and delete through the client's batch \
            calls, N requests per call, with --window / N calls in flight on each session, instead of \
            one call per request.
            """)

    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Option(name: .long, help: "The number of znodes.")
    var count = 10_000

    @Option(name: .long, help: "Data bytes per znode.")
    var size = 100

    @Option(name: .long, help: "Requests in flight per session.")
    var window = 100

    @Option(name: .long, help: "Sessions sharing the load.")
    var sessions = 1

    @Option(name: .long, help: "The parent of the benchmark's znodes; it must be empty or missing.")
    var path = "/zk-bench"

    @Option(
        name: .long,
        help: """
            The operations to report, comma-separated, from \
            \(BenchOperation.allCases.map(\.rawValue).joined(separator: ",")) (default: all). \
            The nodes are always created, and deleted unless --keep.
            """)
    var ops: String?

    @Option(name: .long, help: "Requests per batch call (see below); by default one call per request.")
    var batch: Int?

    @Flag(name: .long, help: "One request at a time on one session: latency percentiles.")
    var latency = false

    @Flag(name: .long, help: "Leave the znodes in place (for timing other commands on them).")
    var keep = false

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive") }
        guard (0...1_000_000).contains(size) else { throw ValidationError("--size must be between 0 and 1000000") }
        guard window > 0 else { throw ValidationError("--window must be positive") }
        guard sessions > 0 else { throw ValidationError("--sessions must be positive") }
        if let batch {
            guard (1...window).contains(batch) else { throw ValidationError("--batch must be between 1 and --window") }
            guard !latency else { throw ValidationError("--batch and --latency exclude each other") }
        }
        _ = try operations()
    }

    /// The operations to run, in running order.
    func operations() throws -> [BenchOperation] {
        guard let ops else { return BenchOperation.allCases.filter { $0 != .delete || !keep } }
        let names = ops.split(separator: ",").map { $0.trimmingWhitespace() }
        for name in names where BenchOperation(rawValue: name) == nil {
            throw ValidationError("unknown operation '\(name)' in --ops")
        }
        if keep && names.contains("delete") {
            throw ValidationError("--keep and the delete operation exclude each other")
        }
        guard !names.isEmpty else { throw ValidationError("--ops names no operation") }
        return BenchOperation.allCases.filter { names.contains($0.rawValue) }
    }

    func run(in shell: ShellContext) async throws {
        let requested = try operations()
        let first = try await shell.zk()
        let base = shell.resolve(path)
        let createdBase: Bool
        if let stat = try await first.exists(base) {
            guard stat.numChildren == 0 else {
                throw ShellError("\(base) is not empty; remove it (deleteall \(base)) or choose another --path")
            }
            createdBase = false
        } else {
            try await first.ensurePath(base)
            createdBase = true
        }
        // More sessions to the same server, configured as the first.
        var options = shell.options
        options.server = shell.serverAddress
        options.embedded = false
        let needsWatcher = requested.contains(.watch) || requested.contains(.notify)
        let loadSessions = latency ? 1 : sessions
        var others: [ShellContext] = []
        var clients = [first]
        let results: [BenchResult]
        do {
            for _ in 0..<(loadSessions - 1 + (needsWatcher ? 1 : 0)) {
                let other = ShellContext(options: options)
                others.append(other)
                clients.append(try await other.zk())
            }
            let load = BenchLoad(
                clients: Array(clients.prefix(loadSessions)), watcher: clients.last!,
                paths: (0..<count).map { base == "/" ? "/n\($0)" : "\(base)/n\($0)" },
                data: (0..<size).map { UInt8(truncatingIfNeeded: $0 % 26 + 97) }, window: latency ? 1 : window,
                batch: batch)
            results = try await run(requested, on: load)
        } catch {
            // Leave the server as it was, as far as possible.
            if !keep { try? await Self.clean(base, removingIt: createdBase, with: first) }
            for other in others { await other.close() }
            throw error
        }
        for other in others { await other.close() }
        if !keep { try await Self.clean(base, removingIt: createdBase, with: first) }
        report(results, in: shell)
    }

    /// Runs the operations; creates (and deletes) the nodes also when they are not reported.
    private func run(_ requested: [BenchOperation], on load: BenchLoad) async throws -> [BenchResult] {
        var watches: [ZooKeeperWatch] = []
        var results: [BenchResult] = []
        // notify fires the watches that watch sets.
        let running = BenchOperation.allCases.filter { operation in
            switch operation {
            case .create: true
            case .delete: false
            case .watch: requested.contains(.watch) || requested.contains(.notify)
            default: requested.contains(operation)
            }
        }
        for operation in running {
            let result = try await load.run(operation, latency: latency, watches: &watches)
            if requested.contains(operation) { results.append(result) }
        }
        if !keep {
            let result = try await load.run(.delete, latency: latency, watches: &watches)
            if requested.contains(.delete) { results.append(result) }
        }
        return results
    }

    private func report(_ results: [BenchResult], in shell: ShellContext) {
        guard shell.json else {
            for line in BenchTable.lines(results, latency: latency) { shell.output.line(line) }
            return
        }
        shell.output.json([
            "mode": latency ? "latency" : "throughput", "count": count, "size": size,
            "window": latency ? 1 : window, "sessions": latency ? 1 : sessions, "batch": batch ?? 1,
            "path": shell.resolve(path),
            "results": results.map(\.json),
        ])
    }

    /// Deletes whatever is left under `base` (and `base` itself when the benchmark made it).
    private static func clean(_ base: String, removingIt: Bool, with client: ZooKeeperClient) async throws {
        let children = try await client.getChildren(base).map { base == "/" ? "/" + $0 : base + "/" + $0 }
        try await TreeCommand.delete(children, with: client)
        if removingIt { try await client.delete(base) }
    }
}
