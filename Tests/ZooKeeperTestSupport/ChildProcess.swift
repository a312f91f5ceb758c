import Foundation

/// Runs programs from async tests without blocking the cooperative thread pool: pipes are read
/// and the exit is waited for on threads of their own. With two cores the
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

    /// Runs `executable` with `arguments` to completion; kills it (SIGTERM) after `timeout`.
    ///
    /// Started with posix_spawn and waited for with waitpid on a thread of its own, rather than
    /// with `Process`, whose termination handler was seen, under the load of a whole test run,
    /// never to be called for a child that had exited (left a zombie until the test timed out).
    public static func run(
        _ executable: String, _ arguments: [String] = [], input: [UInt8] = [], environment: [String: String]? = nil,
        timeout: Duration = .seconds(120)
    ) async throws -> Result {
        // Close-on-exec pipes: no other child started meanwhile inherits them (and holds them open).
        let stdin = try makePipe()
        let stdout = try makePipe()
        let stderr = try makePipe()
        // Writing input to a child that has exited must fail with EPIPE, not end the test run.
        signal(SIGPIPE, SIG_IGN)
        // The child starts with default signal handling, whatever this process ignores.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var signals = sigset_t()
        sigfillset(&signals)
        posix_spawnattr_setsigdefault(&attributes, &signals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin.read, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout.write, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr.write, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        for descriptor in [stdin.read, stdout.write, stderr.write] { close(descriptor) }
        guard spawned == 0 else {
            for descriptor in [stdin.write, stdout.read, stderr.read] { close(descriptor) }
            throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL)
        }
        let child = pid
        let out = drain(stdout.read)
        let err = drain(stderr.read)
        onThread {
            input.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(stdin.write, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 && errno != EINTR { break }
                    offset += max(written, 0)
                }
            }
            close(stdin.write)
        }
        let exited = AsyncStream<Int32>.makeStream()
        onThread {
            var status: Int32 = 0
            while waitpid(child, &status, 0) < 0 && errno == EINTR {}
            // As Process reports it: the exit status, or the number of the signal that ended it.
            exited.continuation.yield(status & 0x7f == 0 ? (status >> 8) & 0xff : status & 0x7f)
        }
        let killed = KilledFlag()
        let killer = Task {
            try await Task.sleep(for: timeout)
            killed.set()
            kill(child, SIGTERM)
        }
        var iterator = exited.stream.makeAsyncIterator()
        let status = await iterator.next() ?? -1
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

    /// Everything a pipe yields until EOF, read on a thread of its own; closes it then.
    private static func drain(_ descriptor: Int32) -> Task<[UInt8], Never> {
        let stream = AsyncStream<[UInt8]>.makeStream()
        onThread {
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    bytes += chunk[..<count]
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            close(descriptor)
            stream.continuation.yield(bytes)
            stream.continuation.finish()
        }
        return Task {
            var iterator = stream.stream.makeAsyncIterator()
            return await iterator.next() ?? []
        }
    }
}
