import NIOConcurrencyHelpers

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child process that gets this process's stdin, stdout and stderr (or the descriptors given
/// in their place) and no other descriptor, started with the default signal dispositions and no
/// blocked signals (whatever this process ignores or blocks). The test support runs programs
/// with it too (`ChildProcess.run` in ZooKeeperTestSupport).
package final class ChildProcess: Sendable {
    /// Its process ID; valid until it has been waited for.
    package let pid: pid_t
    /// Whether it has been waited for, after which its process ID may name another process.
    private let reaped = NIOLockedValueBox(false)
    /// The children started and not yet waited for, and those that SIGINT ended.
    private static let children = NIOLockedValueBox(Census(running: 0, interrupted: 0))

    /// How many children are running, and how many SIGINT has ended so far. They share the
    /// terminal: while one runs, and when one has been ended by it, a Ctrl-C was theirs.
    package struct Census: Sendable {
        package var running: Int
        package var interrupted: Int
    }

    package static var census: Census { children.withLockedValue { $0 } }

    /// A program that could not be started: "cannot run PATH: REASON". A shell reports it with
    /// status 127, as sh does for a command it cannot run.
    package struct CannotStart: Error, CustomStringConvertible {
        package var path: String
        package var reason: String
        package var description: String { "cannot run \(path): \(reason)" }
    }

    /// Starts the program at `path`; `arguments` begins with the name it runs under.
    /// `standardStreams`, when given, are the descriptors the child gets as its stdin, stdout
    /// and stderr; `descriptors` it gets as 3, 4 and so on. `processGroup`, when given, is the
    /// process group it joins (0: a new one of its own).
    package init(
        _ path: String, arguments: [String], environment: [String: String],
        standardStreams: (input: Int32, output: Int32, error: Int32)? = nil, descriptors: [Int32] = [],
        processGroup: pid_t? = nil
    ) throws(CannotStart) {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var signals = sigset_t()
        sigfillset(&signals)
        posix_spawnattr_setsigdefault(&attributes, &signals)
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        var flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
        if let processGroup {
            posix_spawnattr_setpgroup(&attributes, processGroup)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        // The child gets none of this process's other descriptors (server connections, pipes):
        // a command that outlives zk must not hold them open.
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let streams = standardStreams {
            posix_spawn_file_actions_adddup2(&actions, streams.input, 0)
            posix_spawn_file_actions_adddup2(&actions, streams.output, 1)
            posix_spawn_file_actions_adddup2(&actions, streams.error, 2)
        }
        for (index, descriptor) in descriptors.enumerated() {
            posix_spawn_file_actions_adddup2(&actions, descriptor, Int32(3 + index))
        }
        for descriptor in Self.openDescriptors() where descriptor > 2 + Int32(descriptors.count) {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw CannotStart(path: path, reason: String(cString: strerror(result)))
        }
        self.pid = pid
        Self.children.withLockedValue { $0.running += 1 }
    }

    /// This process's open descriptors. (A descriptor closed meanwhile is no error: the child
    /// skips closing descriptors that are not open.)
    private static func openDescriptors() -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return names.compactMap { Int32($0) }
    }

    /// Asks it to stop (SIGTERM), unless it has ended.
    package func terminate() {
        reaped.withLockedValue { reaped in
            if !reaped { kill(pid, SIGTERM) }
        }
    }

    /// Ends it at once (SIGKILL), unless it has ended.
    package func halt() {
        reaped.withLockedValue { reaped in
            if !reaped { kill(pid, SIGKILL) }
        }
    }

    /// Waits for it to end; returns its exit status, or 128 + the number of the signal that ended it.
    package func status() async -> Int32 {
        await withCheckedContinuation { continuation in
            Blocking.onOwnThread { [pid, reaped] in
                // Wait without reaping, so that terminate() never signals a recycled process ID.
                var info = siginfo_t()
                while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
                var status: Int32 = 0
                reaped.withLockedValue { reaped in
                    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                    if !reaped {
                        ChildProcess.children.withLockedValue { children in
                            children.running -= 1
                            if status & 0x7f == SIGINT { children.interrupted += 1 }
                        }
                    }
                    reaped = true
                }
                let signal = status & 0x7f
                continuation.resume(returning: signal == 0 ? (status >> 8) & 0xff : 128 + signal)
            }
        }
    }
}
