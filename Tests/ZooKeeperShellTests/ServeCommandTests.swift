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
        #expect(fourLetterWord("ruok", port: port) == "imok")
        try await zk.close()
        kill(process.processIdentifier, SIGINT)
        await ChildProcess.waitUntilExit(process)
        #expect(process.terminationStatus == 0)
    }

    @Test(arguments: [
        (["--port", "70000"], "--port must be between 0 and 65535"),
        (["--tick-time", "0"], "--tick-time must be positive"),
        (["--super-digest", "nocolon"], "--super-digest must be user:digest"),
        (["--nonsense"], "Unknown option '--nonsense'"),
    ])
    func badArgumentsAreUsageErrors(_ arguments: [String], _ message: String) async throws {
        let (status, output) = try await Self.runZK(["serve"] + arguments)
        #expect(status == 64)
        #expect(output.contains(message))
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
}
