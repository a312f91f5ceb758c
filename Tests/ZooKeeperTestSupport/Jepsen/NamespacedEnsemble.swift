import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real Apache ZooKeeper ensemble whose members each run in a network namespace of their own
/// (scripts/jepsen_net.sh), joined by a bridge that the test process reaches from the root
/// namespace: partitions, one-way loss, lossy and slow links and paused members are real network
/// and process faults, not a proxy's. Needs root and Linux network namespaces; `start` says so
/// and throws when they are missing. Whatever it made is removed by `stop`, and leftovers of a
/// crashed run by the next `start`.
public final class NamespacedEnsemble: @unchecked Sendable {
    /// The network script, from the repository this file is in.
    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/jepsen_net.sh")
    public static let clientPort = 2181
    /// The namespaces' name prefix, as the script reads it from `JEPSEN_PREFIX`.
    public static let prefix = ProcessInfo.processInfo.environment["JEPSEN_PREFIX"] ?? "zkj"

    public let size: Int
    private let directory: URL
    private let addresses: [String]
    private let lock = NSLock()
    private var watchdogs: [Int: Process] = [:]

    /// The client connect string of every member.
    public var connectString: String { addresses.map { "\($0):\(Self.clientPort)" }.joined(separator: ",") }

    /// The connect string of one member (1-based id).
    public func address(of id: Int) -> String { "\(addresses[id - 1]):\(Self.clientPort)" }

    /// Network namespaces could not be made here (not root, no `ip`, a kernel without them).
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    private init(size: Int, addresses: [String]) {
        self.size = size
        self.addresses = addresses
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("zk-jepsen-\(UUID().uuidString)")
    }

    /// Runs the network script with `arguments`; its output, or an error with its account.
    @discardableResult
    public static func net(_ arguments: [String]) async throws -> String {
        let result = try await ChildProcess.run("/bin/bash", [script.path] + arguments, timeout: .seconds(60))
        guard result.status == 0 else {
            throw Unavailable(
                description: "jepsen_net.sh \(arguments.joined(separator: " ")) failed (\(result.status)): "
                    + result.errorText)
        }
        return result.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Creates the namespaces (removing a crashed run's first), starts a member in each and waits
    /// until one leads and the others follow it.
    public static func start(size: Int = 3, tickTime: Int = 250) async throws -> NamespacedEnsemble {
        try Prerequisite.apacheZooKeeper()
        do {
            try await net(["up", "\(size)"])
        } catch {
            _ = try? await net(["down"])
            throw Unavailable(description: "Linux network namespaces are unavailable here: \(error)")
        }
        var addresses: [String] = []
        for id in 1...size { addresses.append(try await net(["address", "\(id)"])) }
        let ensemble = NamespacedEnsemble(size: size, addresses: addresses)
        do {
            for id in 1...size { try ensemble.launch(id, tickTime: tickTime) }
            try await ensemble.waitUntilSettled()
        } catch {
            await ensemble.stop()
            throw error
        }
        return ensemble
    }

    private func launch(_ id: Int, tickTime: Int) throws {
        let member = directory.appendingPathComponent("s\(id)")
        try FileManager.default.createDirectory(
            at: member.appendingPathComponent("data"), withIntermediateDirectories: true)
        let servers = addresses.enumerated().map { ($0.offset + 1, $0.element, 2888, 3888) }
        let config = try ApacheZooKeeper.configuration(
            tickTime: tickTime, directory: member, clientAddress: addresses[id - 1], clientPort: Self.clientPort,
            myid: id, servers: servers)
        // INFO: how each member synced with each leader (DIFF, TRUNC, SNAP), and its digest checks.
        let java = try ApacheZooKeeper.javaCommand(
            config: config, in: member, extraProperties: ["-Dzookeeper.root.logger=INFO,CONSOLE"])
        let watchdog = try ApacheZooKeeper.launchWatched(
            ["ip", "netns", "exec", "\(Self.prefix)-n\(id)"] + java, in: member)
        lock.withLock { watchdogs[id] = watchdog }
    }

    /// A member's answer to a four-letter word, from the root namespace; nil when it is cut off,
    /// paused or down.
    public func fourLetterWord(_ word: String, to id: Int) async -> String? {
        await ZooKeeperTestSupport.fourLetterWord(word, port: Self.clientPort, host: addresses[id - 1])
    }

    /// The member that currently leads, or nil.
    public func leader() async -> Int? {
        for id in 1...size where await fourLetterWord("srvr", to: id)?.contains("Mode: leader") ?? false {
            return id
        }
        return nil
    }

    /// Waits until one member leads and every other one has synced with it.
    public func waitUntilSettled(timeout: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let leader = await leader(),
                let answer = await fourLetterWord("mntr", to: leader),
                answer.split(separator: "\n").contains("zk_synced_followers\t\(size - 1)")
            {
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw ApacheZooKeeperError.didNotStart("the ensemble did not settle within \(timeout):\n\(logTails())")
    }

    /// A member's data directory (its `dataDir`: snapshots and transaction logs).
    public func dataDirectory(of id: Int) -> URL { directory.appendingPathComponent("s\(id)/data") }

    /// Copies every member's files (configuration, data directory, log) under `destination`, to be
    /// read after the run; `stop` removes the originals.
    public func preserveFiles(in destination: URL) throws {
        try? FileManager.default.removeItem(at: destination)
        try FileManager.default.copyItem(at: directory, to: destination)
    }

    /// The lines of a member's log that contain `text`.
    public func logLines(of id: Int, containing text: String) -> [String] {
        let log = directory.appendingPathComponent("s\(id)/log")
        let contents = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return contents.split(separator: "\n").filter { $0.contains(text) }.map(String.init)
    }

    /// The last lines of every member's log.
    public func logTails() -> String {
        (1...size).map { id in
            let log = directory.appendingPathComponent("s\(id)/log")
            return "member \(id) log:\n\(((try? String(contentsOf: log, encoding: .utf8)) ?? "").suffix(2000))"
        }.joined(separator: "\n")
    }

    /// Drops everything between two groups of members, both ways.
    public func partition(_ one: [Int], _ other: [Int]) async throws {
        try await Self.net(["partition", Self.group(one), Self.group(other)])
    }

    /// Drops what `from` sends to `to`, one way only.
    public func block(from: Int, to: Int) async throws {
        try await Self.net(["block", "\(from)", "\(to)"])
    }

    /// Cuts the test's clients off a member, both ways.
    public func isolateFromClients(_ id: Int) async throws {
        try await Self.net(["partition", "\(id)", "c"])
    }

    /// Delays and loses a member's traffic; returns how ("netem", or "nftables+tbf" on a kernel
    /// without sch_netem).
    @discardableResult
    public func degrade(_ id: Int, delayMilliseconds: Int, lossPercent: Int) async throws -> String {
        try await Self.net(["netem", "\(id)", "\(delayMilliseconds)", "\(lossPercent)"])
    }

    /// Removes every network fault.
    public func heal() async throws { try await Self.net(["heal"]) }

    /// Stops (SIGSTOP) or continues (SIGCONT) a member's JVM.
    public func pause(_ id: Int) throws { try send(SIGSTOP, to: id) }
    public func resume(_ id: Int) throws { try send(SIGCONT, to: id) }

    private func send(_ signal: Int32, to id: Int) throws {
        let file = directory.appendingPathComponent("s\(id)/pid")
        guard
            let pid = Int32(
                try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)),
            Glibc.kill(pid, signal) == 0
        else { throw ApacheZooKeeperError.didNotStart("member \(id) has no process to signal") }
    }

    /// Stops every member, removes the namespaces, links and files.
    public func stop() async {
        for watchdog in lock.withLock({ Array(watchdogs.values) }) where watchdog.isRunning {
            watchdog.terminate()
            await ChildProcess.waitUntilExit(watchdog)
        }
        _ = try? await Self.net(["down"])
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `body` with a started ensemble and always stops it; on failure prints the members'
    /// logs first.
    public static func with<T>(size: Int = 3, _ body: (NamespacedEnsemble) async throws -> T) async throws -> T {
        let ensemble = try await start(size: size)
        do {
            let result = try await body(ensemble)
            await ensemble.stop()
            return result
        } catch {
            FileHandle.standardError.write(Data(ensemble.logTails().utf8))
            await ensemble.stop()
            throw error
        }
    }

    private static func group(_ ids: [Int]) -> String { ids.map(String.init).joined(separator: ",") }
}
