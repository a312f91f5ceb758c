import NIOConcurrencyHelpers
import ProcessSupport
import ZooKeeper

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where commands write: data on stdout (raw bytes stay raw), diagnostics on stderr.
final class Output: @unchecked Sendable {
    private let lock = NIOLock()
    /// Whether node data ends its own line: on a terminal, and in scripts and the shell, where
    /// outputs follow one another. A one-shot command into a pipe writes the bytes exactly.
    let separatesData: Bool
    private let standardOutput: Int32
    private let standardError: Int32

    /// - Parameters: standardOutput, standardError: where data and diagnostics go (tests give pipes).
    init(
        separatesData: Bool, standardOutput: Int32 = FileDescriptorIO.standardOutput,
        standardError: Int32 = FileDescriptorIO.standardError
    ) {
        self.separatesData = separatesData || isatty(standardOutput) != 0
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    /// Node data, raw; `endingLine`: followed by a newline if it has none (more follows it).
    func data(_ bytes: [UInt8], endingLine: Bool = false) {
        var bytes = bytes
        if (separatesData || endingLine) && bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        write(bytes, to: standardOutput)
    }

    func line(_ text: String) {
        write(Array((text + "\n").utf8), to: standardOutput)
    }

    func error(_ text: String) {
        write(Array((text + "\n").utf8), to: standardError)
    }

    /// One JSON document (or one line of JSON Lines), keys sorted.
    func json(_ value: Any) {
        do {
            write(Array((try JSONText.encode(value) + "\n").utf8), to: standardOutput)
        } catch {
            self.error("zk: cannot encode JSON: \(error)")
        }
    }

    /// Reports a failed command on stderr, in one line; returns its exit status.
    func report(_ error: any Error) -> Int32 {
        switch error {
        case let error as ZooKeeperError where error.code == .connectFailed:
            // The message names each server and its cause; the code name would add nothing.
            self.error("zk: \(error.message)")
        case let error as ZooKeeperError where error.code == .replyTooLarge:
            self.error(
                "zk: \(error.code.name): \(error.message); raise it with --max-reply\(error.path.map { ": \($0)" } ?? "")"
            )
        case let error as ZooKeeperError:
            self.error("zk: \(error.code.name): \(error.message)\(error.path.map { ": \($0)" } ?? "")")
        case let error as ShellError:
            self.error("zk: \(error.message)")
        default:
            self.error("zk: \(error)")
        }
        return ExitStatus.code(for: error)
    }

    private func write(_ bytes: [UInt8], to descriptor: Int32) {
        let failure = lock.withLock { FileDescriptorIO.writeAll(bytes, to: descriptor) }
        // The reader went away (`zk ls -R / | head`): stop at once and quietly, with the status of
        // a process ended by SIGPIPE, as other tools do (zk itself ignores SIGPIPE, for its sockets).
        if failure == EPIPE { exit(128 + SIGPIPE) }
    }
}
