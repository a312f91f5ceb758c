import Foundation

/// `zk serve` as a child process, for tests that kill and restart it.
public enum ServeProcess {
    /// The `zk` binary built next to the test bundle.
    public static let zk = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("zk")

    /// Starts `zk serve` on `port` (0: a free one the server picks itself, so no other test can
    /// take it in between) and returns the process and the address of its first log line. Its
    /// stderr is read on a dispatch thread, so no test thread blocks.
    public static func start(port: Int = 0, _ arguments: [String] = []) async throws -> (Process, String) {
        let (process, address, _) = try await startLogging(port: port, arguments)
        return (process, address)
    }

    /// ``start(port:_:)``, also returning what the server has logged on stderr so far, whenever
    /// it is called.
    public static func startLogging(port: Int = 0, _ arguments: [String] = []) async throws -> (
        Process, String, @Sendable () -> String
    ) {
        let process = Process()
        process.executableURL = zk
        process.arguments = ["serve", "--port", "\(port)"] + arguments
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        let seen = LockedText()
        stderr.fileHandleForReading.readabilityHandler = { handle in seen.append(handle.availableData) }
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, process.isRunning {
            if let match = seen.text.firstMatch(of: /address=(127\.0\.0\.1:\d+)/) {
                return (process, String(match.1), { seen.text })
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { process.terminate() }
        throw ServeFailed(log: seen.text)
    }

    /// `zk serve` exited or logged no address in time.
    public struct ServeFailed: Error, CustomStringConvertible {
        public var log: String
        public var description: String { "zk serve did not start: \(log)" }
    }

    final class LockedText: @unchecked Sendable {
        private let lock = NSLock()
        private var bytes = Data()
        func append(_ data: Data) { lock.withLock { bytes.append(data) } }
        var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
    }
}
