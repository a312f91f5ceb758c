import Foundation
import ProcessSupport

/// Runs programs from async tests without blocking the cooperative thread pool: pipes are read
/// and the exit is waited for on threads of their own. With two cores the
/// pool has two threads, and a test blocked in `waitUntilExit` would starve every other test.
extension ChildProcess {
    package struct Result: Sendable {
        package var status: Int32
        package var stdout: [UInt8]
        package var stderr: [UInt8]
        package var text: String { String(decoding: stdout, as: UTF8.self) }
        package var errorText: String { String(decoding: stderr, as: UTF8.self) }
    }

    package struct TimedOut: Error, CustomStringConvertible {
        package var command: [String]
        package var description: String { "\(command.joined(separator: " ")) did not finish in time and was killed" }
    }

    /// Runs `executable` with `arguments` to completion; kills it (SIGTERM) after `timeout`.
    /// The status is the exit status, or 128 + the number of the signal that ended it.
    ///
    /// Started with posix_spawn and waited for with waitpid on a thread of its own (as zk starts
    /// programs), rather than with `Process`: in one whole-suite run a child's end was
    /// never reported through `Process`, and the test timed out.
    package static func run(
        _ executable: String, _ arguments: [String] = [], input: [UInt8] = [], environment: [String: String]? = nil,
        timeout: Duration = .seconds(120)
    ) async throws -> Result {
        // Writing input to a child that has exited must fail with EPIPE, not end the test run.
        signal(SIGPIPE, SIG_IGN)
        // Close-on-exec pipes: no other child started meanwhile inherits them (and holds them open).
        let stdin = try makePipe()
        let stdout = try makePipe()
        let stderr = try makePipe()
        let child: ChildProcess
        do {
            defer { for descriptor in [stdin.read, stdout.write, stderr.write] { close(descriptor) } }
            child = try ChildProcess(
                executable, arguments: [executable] + arguments,
                environment: environment ?? ProcessInfo.processInfo.environment,
                standardStreams: (stdin.read, stdout.write, stderr.write))
        } catch {
            for descriptor in [stdin.write, stdout.read, stderr.read] { close(descriptor) }
            throw error
        }
        let out = drain(stdout.read)
        let err = drain(stderr.read)
        Blocking.onOwnThread {
            FileDescriptorIO.writeAll(input, to: stdin.write)
            close(stdin.write)
        }
        let killed = KilledFlag()
        let killer = Task {
            try await Task.sleep(for: timeout)
            killed.set()
            child.terminate()
        }
        let status = await child.status()
        killer.cancel()
        let result = Result(status: status, stdout: await out.value, stderr: await err.value)
        if killed.isSet { throw TimedOut(command: [executable] + arguments) }
        return result
    }

    /// A close-on-exec pipe.
    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EMFILE) }
        for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        return (descriptors[0], descriptors[1])
    }

    private final class KilledFlag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        func set() { lock.withLock { value = true } }
        var isSet: Bool { lock.withLock { value } }
    }

    /// Waits for a started process to exit (or the task to be cancelled), without blocking a thread.
    package static func waitUntilExit(_ process: Process) async {
        while process.isRunning && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Everything a pipe yields until EOF, read on a thread of its own (not on a dispatch worker:
    /// two pipes blocked in a read there would stop every task of the test run, time limits
    /// included); closes it then.
    private static func drain(_ descriptor: Int32) -> Task<[UInt8], Never> {
        let stream = AsyncStream<[UInt8]>.makeStream()
        Blocking.onOwnThread {
            stream.continuation.yield(FileDescriptorIO.readAll(descriptor))
            close(descriptor)
            stream.continuation.finish()
        }
        return Task {
            var iterator = stream.stream.makeAsyncIterator()
            return await iterator.next() ?? []
        }
    }
}
