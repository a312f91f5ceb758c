import CEditLine
import Foundation

/// Where commands write: data on stdout (raw bytes stay raw), diagnostics on stderr.
final class Output: @unchecked Sendable {
    private let lock = NSLock()
    /// Whether node data ends its own line: on a terminal, and in scripts and the shell, where
    /// outputs follow one another. A one-shot command into a pipe writes the bytes exactly.
    let separatesData: Bool

    init(separatesData: Bool) {
        self.separatesData = separatesData || ceditline_isatty_stdout() != 0
    }

    func data(_ bytes: [UInt8]) {
        var bytes = bytes
        if separatesData && bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        write(bytes, to: FileHandle.standardOutput)
    }

    func line(_ text: String) {
        write(Array((text + "\n").utf8), to: FileHandle.standardOutput)
    }

    func error(_ text: String) {
        write(Array((text + "\n").utf8), to: FileHandle.standardError)
    }

    /// One JSON document (or one line of JSON Lines), keys sorted.
    func json(_ value: Any) {
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return error("zk: cannot encode JSON") }
        write(Array(data) + [UInt8(ascii: "\n")], to: FileHandle.standardOutput)
    }

    private func write(_ bytes: [UInt8], to handle: FileHandle) {
        lock.withLock { handle.write(Data(bytes)) }
    }
}
