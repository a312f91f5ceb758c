import Foundation

/// Runs programs from async tests without blocking the cooperative thread pool: pipes are read
/// on dispatch queues and termination arrives through `terminationHandler`. With two cores the
/// pool has two threads, and a test blocked in `waitUntilExit` would starve every other test.
public enum ChildProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: [UInt8]
        public var text: String { String(decoding: stdout, as: UTF8.self) }
        public var errorText: String { String(decoding: stderr, as: UTF8.self) }
    }

    public struct TimedOut: Error, CustomStringConvertible {
        public var command: [String]
        public var description: String { "\(command.joined(separator: " ")) did not finish in time and was killed" }
    }

    /// Runs `executable` with `arguments` to completion; kills it after `timeout`.
    public static func run(
        _ executable: String, _ arguments: [String] = [], input: [UInt8] = [], environment: [String: String]? = nil,
        timeout: Duration = .seconds(120)
    ) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        let exited = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { exited.continuation.yield($0.terminationStatus) }
        try process.run()
        let out = drain(stdout.fileHandleForReading)
        let err = drain(stderr.fileHandleForReading)
        onThread {
            stdin.fileHandleForWriting.write(Data(input))
            try? stdin.fileHandleForWriting.close()
        }
        let killed = KilledFlag()
        let killer = Task {
            try await Task.sleep(for: timeout)
            killed.set()
            process.terminate()
        }
        var iterator = exited.stream.makeAsyncIterator()
        let status = await iterator.next() ?? -1
        killer.cancel()
        let result = Result(status: status, stdout: await out.value, stderr: await err.value)
        if killed.isSet { throw TimedOut(command: [executable] + arguments) }
        return result
    }

    private final class KilledFlag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        func set() { lock.withLock { value = true } }
        var isSet: Bool { lock.withLock { value } }
    }

    /// Waits for a started process to exit (or the task to be cancelled), without blocking a thread.
    public static func waitUntilExit(_ process: Process) async {
        while process.isRunning && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Runs blocking I/O on a thread of its own. Not on a dispatch worker: on Linux, Swift
    /// concurrency's global executor runs on the same few (one per core) dispatch threads, so
    /// two pipes blocked in a read there stop every task of the test run, time limits included.
    private static func onThread(_ body: @escaping @Sendable () -> Void) {
        Thread { body() }.start()
    }

    /// Everything a pipe yields until EOF, read on a thread of its own.
    private static func drain(_ handle: FileHandle) -> Task<[UInt8], Never> {
        let stream = AsyncStream<[UInt8]>.makeStream()
        onThread {
            stream.continuation.yield(Array(handle.readDataToEndOfFile()))
            stream.continuation.finish()
        }
        return Task {
            var iterator = stream.stream.makeAsyncIterator()
            return await iterator.next() ?? []
        }
    }
}
