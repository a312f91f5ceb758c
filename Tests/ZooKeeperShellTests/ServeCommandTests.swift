import Foundation
import Testing
import ZooKeeper
import ZooKeeperTestSupport

/// `zk serve`, run as a process.
@Suite struct ServeCommandTests {
    /// The built `zk` executable, beside the test bundle.
    static let zk = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("zk")

    /// Starts `zk serve` and returns the process, its stderr and the address from its first line.
    static func serve(_ arguments: [String]) async throws -> (Process, Pipe, String) {
        let process = Process()
        process.executableURL = zk
        process.arguments = ["serve", "--port", "0"] + arguments
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var seen = ""
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let chunk = stderr.fileHandleForReading.availableData
            seen += String(decoding: chunk, as: UTF8.self)
            if let match = seen.firstMatch(of: /address=(127\.0\.0\.1:\d+)/) {
                return (process, stderr, String(match.1))
            }
        }
        process.terminate()
        throw TimeoutError()
    }

    /// Runs `zk` to completion: its exit status and stderr.
    static func runZK(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = zk
        process.arguments = arguments
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test func servesUntilInterrupted() async throws {
        let (process, _, address) = try await Self.serve(["--4lw-whitelist", "ruok,srvr"])
        let zk = try await ZooKeeperClient.connect(address)
        try await zk.create("/hello", data: Array("world".utf8))
        #expect(try await zk.getData("/hello").data == Array("world".utf8))
        let port = Int(address.split(separator: ":")[1])!
        #expect(fourLetterWord("ruok", port: port) == "imok")
        try await zk.close()
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test(arguments: [
        (["--port", "70000"], "--port must be between 0 and 65535"),
        (["--tick-time", "0"], "--tick-time must be positive"),
        (["--super-digest", "nocolon"], "--super-digest must be user:digest"),
        (["--nonsense"], "Unknown option '--nonsense'"),
    ])
    func badArgumentsAreUsageErrors(_ arguments: [String], _ message: String) throws {
        let (status, output) = try Self.runZK(["serve"] + arguments)
        #expect(status == 64)
        #expect(output.contains(message))
    }

    @Test func anUnusableDataDirectoryIsARuntimeError() throws {
        let (status, output) = try Self.runZK(["serve", "--port", "0", "--data-dir", "/proc/version"])
        #expect(status == 1)
        #expect(output.contains("cannot use --data-dir /proc/version"))
        #expect(output.split(separator: "\n").count == 1)
    }

    @Test func aTakenPortIsARuntimeError() async throws {
        let (first, _, address) = try await Self.serve([])
        defer {
            first.terminate()
            first.waitUntilExit()
        }
        let (status, output) = try Self.runZK(["serve", "--port", String(address.split(separator: ":")[1])])
        #expect(status == 1)
        #expect(output.contains("cannot serve on 127.0.0.1:"))
        #expect(output.split(separator: "\n").count == 1)
    }
}
