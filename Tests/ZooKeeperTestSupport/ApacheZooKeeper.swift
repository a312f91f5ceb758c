import Foundation
import ProcessSupport
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Real Apache ZooKeeper servers (Debian's `zookeeper` package) on loopback, started by a test and
/// stopped by it. A watchdog shell kills the JVM if the test process exits (or dies) first.
public final class ApacheZooKeeper: @unchecked Sendable {
    struct Node {
        var id: Int
        var clientPort: Int
        var quorumPorts: (Int, Int)
        var directory: URL
        var process: Process?
    }

    static let jar = "/usr/share/java/zookeeper.jar"
    /// Netty parts the TLS server (`secureClientPort`, Netty connection factory) needs and
    /// Debian's zookeeper.jar manifest leaves out.
    static let nettyJars = ["/usr/share/java/netty-codec.jar", "/usr/share/java/netty-resolver.jar"]
    /// SLF4J's binding to log4j 1.2 and log4j itself (Debian's libzookeeper-java depends on both),
    /// which the manifest leaves out too: without them the server logs nothing at all, and a
    /// failed test's log tails are empty. /etc/zookeeper/conf/log4j.properties configures it.
    static let loggingJars = ["/usr/share/java/slf4j-log4j12.jar", "/usr/share/java/log4j-1.2.jar"]
    private let lock = NSLock()
    private var nodes: [Node]
    private let tickTime: Int
    private let extraProperties: [String]
    private let extraConfig: [String]

    /// The client connect string of every node.
    public var connectString: String { nodes.map { "127.0.0.1:\($0.clientPort)" }.joined(separator: ",") }

    /// The connect string of one node (1-based id).
    public func address(of id: Int) -> String { "127.0.0.1:\(nodes[id - 1].clientPort)" }

    public var size: Int { nodes.count }

    private init(size: Int, tickTime: Int, extraProperties: [String], extraConfig: [String]) throws {
        self.tickTime = tickTime
        self.extraProperties = extraProperties
        self.extraConfig = extraConfig
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("zk-test-\(UUID().uuidString)")
        nodes = try (1...size).map { id in
            let directory = base.appendingPathComponent("s\(id)")
            try FileManager.default.createDirectory(
                at: directory.appendingPathComponent("data"), withIntermediateDirectories: true)
            return Node(
                id: id, clientPort: try freePort(), quorumPorts: (try freePort(), try freePort()), directory: directory)
        }
    }

    /// The data directory (`dataDir`) of one node (1-based id).
    public func dataDirectory(of id: Int = 1) -> String {
        lock.withLock { nodes[id - 1].directory.appendingPathComponent("data").path }
    }

    /// Starts a standalone server (size 1) or an ensemble, and waits until every node serves.
    /// With `seedData`, each node starts on a copy of that data directory's contents.
    public static func start(
        size: Int = 1, tickTime: Int = 200, extraProperties: [String] = [], extraConfig: [String] = [],
        seedData: String? = nil
    ) async throws -> ApacheZooKeeper {
        try Prerequisite.apacheZooKeeper()
        let cluster = try ApacheZooKeeper(
            size: size, tickTime: tickTime, extraProperties: extraProperties, extraConfig: extraConfig)
        if let seedData {
            for id in 1...size {
                let target = URL(fileURLWithPath: cluster.dataDirectory(of: id))
                for name in try FileManager.default.contentsOfDirectory(atPath: seedData) {
                    try FileManager.default.copyItem(
                        at: URL(fileURLWithPath: seedData).appendingPathComponent(name),
                        to: target.appendingPathComponent(name))
                }
            }
        }
        for id in 1...size { try cluster.launch(id) }
        do {
            for id in 1...size { try await cluster.waitUntilServing(id) }
            if size > 1 { try await cluster.waitUntilSettled() }
        } catch {
            await cluster.stop()
            throw error
        }
        return cluster
    }

    /// Waits until one node leads and every other one has synced with it: a node may serve
    /// (`srvr` answers) while the election is still settling, and a follower that loses its
    /// leader then drops its clients.
    private func waitUntilSettled(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let leader = await leader(),
                let answer = await fourLetterWord("mntr", port: lock.withLock { nodes[leader - 1].clientPort }),
                answer.split(separator: "\n").contains("zk_synced_followers\t\(size - 1)")
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ApacheZooKeeperError.didNotStart("the ensemble did not settle within \(timeout):\n\(logTails())")
    }

    /// The last lines of every node's log.
    func logTails() -> String {
        lock.withLock { nodes }.map { node in
            let log = (try? String(contentsOf: node.directory.appendingPathComponent("log"), encoding: .utf8)) ?? ""
            return "node \(node.id) log:\n\(log.suffix(2000))"
        }.joined(separator: "\n")
    }

    private func launch(_ id: Int) throws {
        var node = lock.withLock { nodes[id - 1] }
        let servers = nodes.count > 1 ? nodes.map { ($0.id, "127.0.0.1", $0.quorumPorts.0, $0.quorumPorts.1) } : []
        let config =
            try Self.configuration(
                tickTime: tickTime, directory: node.directory, clientAddress: "127.0.0.1", clientPort: node.clientPort,
                myid: id, servers: servers) + extraConfig
        node.process = try Self.launchWatched(
            Self.javaCommand(config: config, in: node.directory, extraProperties: extraProperties),
            in: node.directory)
        lock.withLock { nodes[id - 1] = node }
    }

    /// The lines of a server's zoo.cfg; with `servers` (id, host, quorum port, election port) a
    /// member of that ensemble, whose myid file it writes.
    static func configuration(
        tickTime: Int, directory: URL, clientAddress: String, clientPort: Int, myid: Int,
        servers: [(Int, String, Int, Int)]
    ) throws -> [String] {
        var config = [
            "tickTime=\(tickTime)", "initLimit=20", "syncLimit=10",
            "dataDir=\(directory.appendingPathComponent("data").path)",
            "clientPort=\(clientPort)", "clientPortAddress=\(clientAddress)", "maxClientCnxns=0",
            "4lw.commands.whitelist=*", "admin.enableServer=false",
        ]
        if !servers.isEmpty {
            config.append("standaloneEnabled=false")
            config.append("reconfigEnabled=true")
            for (id, host, quorumPort, electionPort) in servers {
                config.append("server.\(id)=\(host):\(quorumPort):\(electionPort)")
            }
            try "\(myid)\n".write(
                to: directory.appendingPathComponent("data/myid"), atomically: true, encoding: .utf8)
        }
        return config
    }

    /// Writes `config` to `directory`/zoo.cfg and returns the command that runs a server on it.
    static func javaCommand(config: [String], in directory: URL, extraProperties: [String]) throws -> [String] {
        let configFile = directory.appendingPathComponent("zoo.cfg")
        try config.joined(separator: "\n").appending("\n").write(to: configFile, atomically: true, encoding: .utf8)
        return [
            "java", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Dzookeeper.root.logger=WARN,CONSOLE", "-Dzookeeper.jmx.log4j.disable=true",
        ] + extraProperties + [
            "-cp", (["/etc/zookeeper/conf", jar] + nettyJars + loggingJars).joined(separator: ":"),
            "org.apache.zookeeper.server.quorum.QuorumPeerMain",
            configFile.path,
        ]
    }

    /// Starts `command` (a server) with its output in `directory`/log and its pid in
    /// `directory`/pid, under a watchdog shell that ends it when the test process (its parent's
    /// parent) goes away, removing `directory`'s parent then; terminating the returned watchdog
    /// kills the server.
    static func launchWatched(_ command: [String], in directory: URL) throws -> Process {
        try Watchdog.launch(
            "\(command.map { "'\($0)'" }.joined(separator: " ")) > '\(directory.path)/log' 2>&1",
            leftovers: directory.deletingLastPathComponent().path,
            pidFile: directory.appendingPathComponent("pid").path)
    }

    private func waitUntilServing(_ id: Int, timeout: Duration = .seconds(60)) async throws {
        let port = lock.withLock { nodes[id - 1].clientPort }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let answer = await fourLetterWord("srvr", port: port), answer.contains("Mode: ") { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ApacheZooKeeperError.didNotStart("node \(id) did not start within \(timeout):\n\(logTails())")
    }

    /// Kills one node with SIGKILL (its JVM, through its watchdog).
    public func kill(_ id: Int) async {
        let process = lock.withLock {
            defer { nodes[id - 1].process = nil }
            return nodes[id - 1].process
        }
        guard let process, process.isRunning else { return }
        process.terminate()
        await ChildProcess.waitUntilExit(process)
    }

    /// Starts a killed node again with its data.
    public func restart(_ id: Int) async throws {
        try launch(id)
        try await waitUntilServing(id)
    }

    /// Whether a node says it is in read-only mode (`isro`).
    public func isReadOnly(_ id: Int) async -> Bool {
        await fourLetterWord("isro", port: lock.withLock { nodes[id - 1].clientPort }) == "ro"
    }

    /// The node id that currently leads, or nil.
    public func leader() async -> Int? {
        for node in lock.withLock({ nodes })
        where await fourLetterWord("srvr", port: node.clientPort)?.contains("Mode: leader") ?? false {
            return node.id
        }
        return nil
    }

    /// Stops every node and removes the data.
    public func stop() async {
        for id in 1...nodes.count { await kill(id) }
        if let base = nodes.first?.directory.deletingLastPathComponent() {
            try? FileManager.default.removeItem(at: base)
        }
    }

    /// Runs `body` with a started cluster and always stops it.
    public static func with<T>(
        size: Int = 1, tickTime: Int = 200, extraProperties: [String] = [], extraConfig: [String] = [],
        seedData: String? = nil, _ body: (ApacheZooKeeper) async throws -> T
    ) async throws -> T {
        let cluster = try await start(
            size: size, tickTime: tickTime, extraProperties: extraProperties, extraConfig: extraConfig,
            seedData: seedData)
        do {
            let result = try await body(cluster)
            await cluster.stop()
            return result
        } catch {
            // The servers' own account of a failure, before their logs go with them.
            if cluster.size > 1 { FileHandle.standardError.write(Data(cluster.logTails().utf8)) }
            await cluster.stop()
            throw error
        }
    }
}

public enum ApacheZooKeeperError: Error {
    case notInstalled(String)
    case didNotStart(String)
}

/// A loopback port that was free a moment ago, below the range the kernel takes the local ports
/// of outgoing connections from (`ip_local_port_range`). A port the kernel handed out from that
/// range could be taken, before the test's server bound it, by any connection another test opened
/// meanwhile (`ClientStartTests` saw it: "port is already in use" for a server started a second
/// after the port was chosen). Each call in this process takes the next port of a sequence that
/// starts at random, skipping ports in use.
public func freePort() throws -> Int {
    let lowestEphemeral =
        (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))
        .flatMap { $0.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } } ?? 32768
    let range = 10000..<max(lowestEphemeral, 10001)
    for _ in 0..<range.count {
        let next = portCounter.withLock { count in
            count += 1
            return count
        }
        let port = range.lowerBound + next % range.count
        if canBind(port) { return port }
    }
    throw ApacheZooKeeperError.didNotStart("no free port below \(range.upperBound)")
}

/// The count ``freePort()`` takes its ports from in turn, from a random start.
private let portCounter = Mutex(Int.random(in: 0..<1_000_000))

/// Whether a listening socket could bind `port` on loopback now.
private func canBind(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var reuse: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}

/// Sends a four-letter word and returns the whole answer, or nil when nothing listens.
public func fourLetterWord(_ word: String, port: Int, host: String = "127.0.0.1") async -> String? {
    await exchange(Array(word.utf8), port: port, host: host).map { String(decoding: $0, as: UTF8.self) }
}

/// Runs blocking `body` (socket calls that may wait seconds) on a thread of its own and returns
/// its result: never on the cooperative pool, whose two threads here the tests' clients share.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Blocking.onOwnThread { continuation.resume(returning: body()) }
    }
}

/// Sends bytes on a new loopback connection and returns everything received until the peer
/// closes it (or two seconds pass); nil when nothing listens.
public func exchange(_ bytes: [UInt8], port: Int, host: String = "127.0.0.1") async -> [UInt8]? {
    await onOwnThread { blockingExchange(bytes, port: port, host: host) }
}

private func blockingExchange(_ bytes: [UInt8], port: Int, host: String) -> [UInt8]? {
    guard let fd = sendOnNewConnection(bytes, port: port, host: host) else { return nil }
    defer { close(fd) }
    var answer: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = recv(fd, &chunk, chunk.count, 0)
        if count <= 0 { break }
        answer += chunk[0..<count]
    }
    return answer
}

/// Sends bytes on a new loopback connection, keeps it open, and tells whether the peer closes
/// it within two seconds without sending anything.
public func peerClosesSilently(after bytes: [UInt8], port: Int) async -> Bool {
    await onOwnThread { blockingPeerClosesSilently(after: bytes, port: port) }
}

private func blockingPeerClosesSilently(after bytes: [UInt8], port: Int) -> Bool {
    guard let fd = sendOnNewConnection(bytes, port: port) else { return false }
    defer { close(fd) }
    var byte: UInt8 = 0
    return recv(fd, &byte, 1, 0) == 0
}

/// A connection (to loopback unless `host` says otherwise) with two-second connect and receive
/// timeouts, after sending `bytes` on it.
private func sendOnNewConnection(_ bytes: [UInt8], port: Int, host: String = "127.0.0.1") -> Int32? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    var timeout = timeval(tv_sec: 2, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr(host)
    address.sin_port = UInt16(port).bigEndian
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
    guard connected, bytes.withUnsafeBytes({ send(fd, $0.baseAddress, bytes.count, 0) }) == bytes.count else {
        close(fd)
        return nil
    }
    return fd
}

/// Expects two transcripts to be equal, reporting the first line that differs.
public func expectSameLines(
    _ expected: [String], _ actual: [String], what: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    for (index, (a, b)) in zip(expected, actual).enumerated() where a != b {
        Issue.record(
            "\(what) \(index + 1) differs\n  Apache ZooKeeper: \(a)\n  ours:             \(b)",
            sourceLocation: sourceLocation)
        return
    }
    #expect(expected.count == actual.count, "\(what)s differ in number", sourceLocation: sourceLocation)
}
