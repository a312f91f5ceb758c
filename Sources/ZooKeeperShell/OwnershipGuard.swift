import NIOCore
import ProcessSupport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// The process between `zk lock` (or `elect`) and its command: it starts the command and stops
/// it at the deadlines zk sends, SIGTERM at the first and SIGKILL at the second, even when zk
/// itself is not running to send more: paused (SIGSTOP, a debugger) or dead. It runs in a process
/// group of its own, so stopping zk's job (Ctrl-Z, `kill -STOP -PGID`) leaves it running: the
/// paused command is then killed at the deadline and never resumes as a holder.
///
/// zk starts it as `zk --ownership-guard PGID -- COMMAND...` with two pipes: it reads deadlines
/// from descriptor 3 (pairs of CLOCK_MONOTONIC nanoseconds, the latest pair counting; at the end
/// of the pipe, zk gone, SIGTERM comes at once), and writes one byte to descriptor 4 when it signalled the
/// command. The command joins process group PGID (zk's, the terminal's job). The guard ends as
/// its command did: with its exit status, or by its signal.
enum OwnershipGuard {
    /// The first argument that makes `zk` a guard (not a command anyone types).
    static let flag = "--ownership-guard"

    /// When to SIGTERM and when to SIGKILL, in CLOCK_MONOTONIC nanoseconds.
    struct Deadlines: Equatable {
        var terminate: Int64
        var kill: Int64

        static let never = Deadlines(terminate: .max, kill: .max)

        /// Each deadline the earlier of the two.
        func earliest(_ other: Deadlines) -> Deadlines {
            Deadlines(terminate: min(terminate, other.terminate), kill: min(kill, other.kill))
        }

        var bytes: [UInt8] {
            withUnsafeBytes(of: (terminate.bigEndian, kill.bigEndian)) { Array($0) }
        }

        init(terminate: Int64, kill: Int64) {
            self.terminate = terminate
            self.kill = kill
        }

        /// The last whole pair in `bytes`.
        init?(last bytes: [UInt8]) {
            let whole = bytes.count - bytes.count % 16
            guard whole >= 16 else { return nil }
            func integer(_ slice: ArraySlice<UInt8>) -> Int64 {
                slice.reduce(0) { $0 << 8 | Int64($1) }
            }
            self.init(terminate: integer(bytes[(whole - 16)..<(whole - 8)]), kill: integer(bytes[(whole - 8)..<whole]))
        }
    }

    /// Now on the deadlines' clock: NIO's uptime clock, the client's own (`Session.safeUntil`
    /// converts to it exactly), which zk and its guard process share.
    static func now() -> Int64 { Int64(NIODeadline.now().uptimeNanoseconds) }

    /// Runs the guard for `arguments` (after the flag: PGID, `--`, the command); never returns.
    static func runAndExit(_ arguments: [String]) -> Never {
        guard arguments.count >= 3, let group = pid_t(arguments[0]), arguments[1] == "--" else {
            _ = FileDescriptorIO.writeAll(
                Array("zk: \(flag) is for zk's own use\n".utf8), to: FileDescriptorIO.standardError)
            exit(ExitStatus.usage)
        }
        let (deadlinesIn, reportOut): (Int32, Int32) = (3, 4)
        _ = fcntl(deadlinesIn, F_SETFL, O_NONBLOCK)
        let command: pid_t
        do {
            let child = try ChildProcess(
                "/usr/bin/env", arguments: ["env"] + arguments.dropFirst(2),
                environment: ProcessInfo.processInfo.environment,
                processGroup: group)
            command = child.pid
        } catch {
            _ = FileDescriptorIO.writeAll(Array("zk: \(error)\n".utf8), to: FileDescriptorIO.standardError)
            exit(ExitStatus.cannotRun)
        }
        var deadlines = Deadlines.never
        var pending: [UInt8] = []
        var terminated = false
        var killed = false
        var zkGone = false
        while true {
            var status: Int32 = 0
            if waitpid(command, &status, WNOHANG) == command { end(like: status) }
            // New deadlines, or the end of the pipe.
            var buffer = [UInt8](repeating: 0, count: 256)
            var ended = false
            while !zkGone {
                let count = read(deadlinesIn, &buffer, buffer.count)
                if count > 0 {
                    pending += buffer[..<count]
                } else {
                    ended = count == 0
                    break
                }
            }
            if let latest = Deadlines(last: pending) {
                deadlines = latest
                pending = Array(pending.suffix(pending.count % 16))
            }
            let now = now()
            if ended {
                // zk is gone (killed, crashed): nobody watches the session any more. It may live on
                // until its deadline (nobody closed it), so the command gets SIGTERM now and until
                // then to end.
                zkGone = true
                deadlines = Deadlines(terminate: now, kill: min(deadlines.kill, now + 10_000_000_000))
            }
            if now >= deadlines.kill && !killed {
                kill(command, SIGKILL)
                killed = true
                report(reportOut)
            } else if now >= deadlines.terminate && !terminated {
                kill(command, SIGTERM)
                terminated = true
                report(reportOut)
            }
            // Checks again soon (every 20 ms at most): for the command's end, new deadlines, and
            // the next deadline due.
            let next = killed ? Int64.max : terminated ? deadlines.kill : deadlines.terminate
            var descriptor = pollfd(fd: zkGone ? -1 : deadlinesIn, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, Int32(max(0, min(20, (next - now) / 1_000_000))))
        }
    }

    private static func report(_ descriptor: Int32) {
        var byte: UInt8 = 1
        _ = write(descriptor, &byte, 1)
    }

    /// Exits as the command did: with its status, or by the same signal.
    private static func end(like status: Int32) -> Never {
        let signal = status & 0x7f
        if signal != 0 {
            Glibc.signal(signal, SIG_DFL)
            var signals = sigset_t()
            sigemptyset(&signals)
            sigaddset(&signals, signal)
            pthread_sigmask(SIG_UNBLOCK, &signals, nil)
            kill(getpid(), signal)
        }
        exit((status >> 8) & 0xff)
    }
}
