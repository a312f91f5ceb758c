import CEditLine
import NIOConcurrencyHelpers

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

    init(separatesData: Bool) {
        self.separatesData = separatesData || ceditline_isatty_stdout() != 0
    }

    func data(_ bytes: [UInt8]) {
        var bytes = bytes
        if separatesData && bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        write(bytes, to: FileDescriptorIO.standardOutput)
    }

    func line(_ text: String) {
        write(Array((text + "\n").utf8), to: FileDescriptorIO.standardOutput)
    }

    func error(_ text: String) {
        write(Array((text + "\n").utf8), to: FileDescriptorIO.standardError)
    }

    /// One JSON document (or one line of JSON Lines), keys sorted.
    func json(_ value: Any) {
        do {
            write(Array((try JSONText.encode(value) + "\n").utf8), to: FileDescriptorIO.standardOutput)
        } catch {
            self.error("zk: cannot encode JSON: \(error)")
        }
    }

    private func write(_ bytes: [UInt8], to descriptor: Int32) {
        let failure = lock.withLock { FileDescriptorIO.writeAll(bytes, to: descriptor) }
        // The reader went away (`zk ls -R / | head`): stop at once and quietly, with the status of
        // a process ended by SIGPIPE, as other tools do (zk itself ignores SIGPIPE, for its sockets).
        if failure == EPIPE { exit(128 + SIGPIPE) }
    }
}
