import Foundation
import Testing
import ZooKeeper
import ZooKeeperTestSupport

/// `zk serve`, run as a process.
@Suite(.timeLimit(.minutes(3))) struct ServeCommandTests {
    /// The built `zk` executable, beside the test bundle.
    static let zk = ServeProcess.zk

    /// Starts `zk serve` on a free port: the process and its address.
    static func serve(_ arguments: [String]) async throws -> (Process, String) {
        try await ServeProcess.start(arguments)
    }

    /// Runs `zk` to completion: its exit status and stderr.
    static func runZK(_ arguments: [String]) async throws -> (status: Int32, stderr: String) {
        let result = try await ChildProcess.run(zk.path, arguments)
        return (result.status, result.errorText)
    }

    @Test func servesUntilInterrupted() async throws {
        let (process, address) = try await Self.serve(["--4lw-whitelist", "ruok,srvr"])
        let zk = try await ZooKeeperClient.connect(address)
        try await zk.create("/hello", data: Array("world".utf8))
        #expect(try await zk.getData("/hello").data == Array("world".utf8))
        let port = Int(address.split(separator: ":")[1])!
        #expect(await fourLetterWord("ruok", port: port) == "imok")
        try await zk.close()
        kill(process.processIdentifier, SIGINT)
        await ChildProcess.waitUntilExit(process)
        #expect(process.terminationStatus == 0)
    }

    /// SIGTERM or SIGINT sent the moment zk serve names its address ends it, every time. Its
    /// signals were once set aside before its watch on them was registered, which libdispatch
    /// does asynchronously: a signal sent in between was lost, and the server served on.
    @Test func aSignalSentAsSoonAsItServesEndsIt() async throws {
        for round in 0..<20 {
            let (process, _) = try await Self.serve([])
            let signal = round.isMultiple(of: 2) ? SIGTERM : SIGINT
            kill(process.processIdentifier, signal)
            await ChildProcess.waitUntilExit(process)
            // Stopped by the watch (status 0), or by the signal itself when it came first.
            if process.terminationReason == .exit {
                #expect(process.terminationStatus == 0)
            } else {
                #expect(process.terminationStatus == signal)
            }
        }
    }

    @Test(arguments: [
        (["--port", "70000"], "--port must be between 0 and 65535"),
        (["--tick-time", "0"], "--tick-time must be positive"),
        (["--super-digest", "nocolon"], "--super-digest must be user:digest"),
        (["--nonsense"], "Unknown option '--nonsense'"),
        (["--metrics-port", "70000"], "--metrics-port must be between 0 and 65535"),
    ])
    func badArgumentsAreUsageErrors(_ arguments: [String], _ message: String) async throws {
        let (status, output) = try await Self.runZK(["serve"] + arguments)
        #expect(status == 64)
        #expect(output.contains(message))
    }

    /// --config reads a zoo.cfg: the supported settings apply (command-line options win), the
    /// others are named as ignored; --verbose logs connections and sessions.
    @Test func readsAZooCfgAndLogsSessions() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-\(UUID().uuidString).cfg")
        defer { try? FileManager.default.removeItem(at: file) }
        let config = """
            # a standalone server
            tickTime=500
            clientPort=1
            4lw.commands.whitelist=ruok, srvr
            maxSessionTimeout=5000
            initLimit=5
            server.1=127.0.0.1:2888:3888
            """
        try Data(config.utf8).write(to: file)
        let (process, address, log) = try await ServeProcess.startLogging(["--config", file.path, "--verbose"])
        defer { process.terminate() }
        let port = Int(address.split(separator: ":")[1])!
        #expect(await fourLetterWord("ruok", port: port) == "imok")
        #expect(await fourLetterWord("conf", port: port)?.contains("not in the whitelist") == true)
        var configuration = ZooKeeperClient.Configuration()
        configuration.sessionTimeout = .seconds(30)
        let zk = try await ZooKeeperClient.connect(address, configuration: configuration)
        // maxSessionTimeout from the file.
        #expect(try await zk.session().timeout == .seconds(5))
        let session = "0x" + String(UInt64(bitPattern: try await zk.session().id), radix: 16)
        try await zk.close()
        try await eventually(within: .seconds(30)) { log().contains("session closed") }
        let text = log()
        #expect(text.contains("ignoring initLimit (not supported by zk serve)"), "\(text)")
        #expect(text.contains("ignoring server.1 (not supported by zk serve)"), "\(text)")
        #expect(!text.contains("ignoring tickTime"), "\(text)")
        #expect(text.contains("connection opened"), "\(text)")
        #expect(text.contains("session=\(session)") && text.contains("session created"), "\(text)")
        kill(process.processIdentifier, SIGINT)
        await ChildProcess.waitUntilExit(process)
    }

    @Test(arguments: [
        ("tickTime=x\n", "tickTime takes a whole number, got 'x'"),
        ("just words\n", ":1: expected key=value"),
        ("clientPort=70000\n", "--port must be between 0 and 65535"),
    ])
    func aBadZooCfgIsAUsageError(_ text: String, _ message: String) async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-\(UUID().uuidString).cfg")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(text.utf8).write(to: file)
        let (status, output) = try await Self.runZK(["serve", "--config", file.path])
        #expect(status == 64)
        #expect(output.contains(message), "\(output)")
        let missing = try await Self.runZK(["serve", "--config", file.path + ".missing"])
        #expect(missing.status == 64 && missing.stderr.contains("No such file or directory"))
    }

    @Test func anUnusableDataDirectoryIsARuntimeError() async throws {
        let (status, output) = try await Self.runZK(["serve", "--port", "0", "--data-dir", "/proc/version"])
        #expect(status == 1)
        #expect(output.contains("cannot use --data-dir /proc/version"))
        #expect(output.split(separator: "\n").count == 1)
    }

    @Test func aTakenPortIsARuntimeError() async throws {
        let (first, address) = try await Self.serve([])
        let port = address.split(separator: ":")[1]
        let (status, output) = try await Self.runZK(["serve", "--port", String(port)])
        first.terminate()
        await ChildProcess.waitUntilExit(first)
        #expect(status == 1)
        #expect(output == "zk: port \(port) is already in use\n")
    }

    /// Starts `zk serve --metrics-port 0`: the process, its client address and its metrics port.
    static func serveWithMetrics() async throws -> (Process, String, Int) {
        let (process, address, log) = try await ServeProcess.startLogging(["--metrics-port", "0"])
        var port: Int?
        try await eventually {
            port = log().firstMatch(of: /metrics at http:\/\/127\.0\.0\.1:(\d+)\/metrics/).flatMap { Int($0.1) }
            return port != nil
        }
        return (process, address, port!)
    }

    @Test func servesItsMetricsInPrometheusTextFormat() async throws {
        let (process, address, metricsPort) = try await Self.serveWithMetrics()
        defer { process.terminate() }
        let zk = try await ZooKeeperClient.connect(address)
        try await zk.create("/scraped", mode: .ephemeral)
        let (status, body) = try await httpGet(port: metricsPort, path: "/metrics")
        #expect(status == 200)
        // Apache ZooKeeper's PrometheusMetricsProvider names: the mntr keys without zk_.
        let lines = Set(body.split(separator: "\n").map(String.init))
        #expect(lines.contains("# TYPE znode_count gauge"))
        #expect(lines.contains("ephemerals_count 1.0") || lines.contains("ephemerals_count 1"))
        #expect(lines.contains("num_alive_connections 1.0") || lines.contains("num_alive_connections 1"))
        for name in [
            "avg_latency", "packets_received", "packets_sent", "watch_count", "approximate_data_size",
            "global_sessions", "uptime", "open_file_descriptor_count", "max_file_descriptor_count",
        ] {
            #expect(lines.contains("# TYPE \(name) gauge"), "\(name)")
        }
        #expect(try await httpGet(port: metricsPort, path: "/other").status == 404)
        try await zk.close()
        kill(process.processIdentifier, SIGINT)
        await ChildProcess.waitUntilExit(process)
        #expect(process.terminationStatus == 0)
    }

    @Test func aTakenMetricsPortIsARuntimeError() async throws {
        let (first, _, metricsPort) = try await Self.serveWithMetrics()
        let (status, output) = try await Self.runZK(["serve", "--port", "0", "--metrics-port", "\(metricsPort)"])
        first.terminate()
        await ChildProcess.waitUntilExit(first)
        #expect(status == 1)
        #expect(output == "zk: --metrics-port: port \(metricsPort) is already in use\n")
    }
}
