import CEditLine
import ProcessSupport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// Line editing with libedit: emacs keys, Ctrl-R history search, persistent history in
/// ~/.zk_history, tab completion of commands and live znode paths, Ctrl-C to drop the line being
/// typed and Ctrl-D to leave.
///
/// `el_gets` blocks, so it runs on a thread of its own; libedit's C callbacks find this object
/// through EL_CLIENTDATA.
final class LineEditor: @unchecked Sendable {
    static var isInteractive: Bool { ceditline_isatty_stdin() != 0 && ceditline_isatty_stdout() != 0 }

    private let editLine: OpaquePointer
    private let historyHandle: OpaquePointer
    private let historyFile: String?
    /// The current prompt as a C string, kept alive while libedit shows it.
    private var promptBuffer: [CChar] = [0]
    var completer: Completer?
    var interruptions: Interruptions?
    /// Ctrl-C, which drops the line being typed.
    var interrupts: Interrupts?
    /// Set by our reading function when Ctrl-C was pressed, until `el_gets` has returned.
    private var interrupted = false

    /// Lines to print above the one being typed: when `descriptor` is readable, `take` gives them
    /// and `prompt` the prompt to draw again below them.
    struct Interruptions {
        var descriptor: Int32
        var take: () -> [String]
        var prompt: () -> String
    }

    /// The key our reading function hands libedit to redraw the prompt and the line, or after
    /// Ctrl-C to move the cursor to the end of the line before dropping it (Ctrl-^).
    private static let redisplayKey: wchar_t = 0x1E

    init() {
        editLine = ceditline_init("zk")
        historyHandle = ceditline_history_init(1000)
        historyFile = ProcessInfo.processInfo.environment["HOME"].map { $0 + "/.zk_history" }
        if let historyFile { ceditline_history_load(historyHandle, historyFile) }
        ceditline_set_editor(editLine, "emacs")
        ceditline_set_signal(editLine, 1)
        ceditline_set_history(editLine, historyHandle)
        ceditline_set_clientdata(editLine, Unmanaged.passUnretained(self).toOpaque())
        ceditline_set_prompt(editLine) { editLine in
            guard let editLine, let data = ceditline_get_clientdata(editLine) else { return nil }
            let editor = Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue()
            return editor.promptBuffer.withUnsafeMutableBufferPointer { $0.baseAddress }
        }
        ceditline_add_function(editLine, "zk-complete", "Complete commands and znode paths") { editLine, _ in
            guard let editLine, let data = ceditline_get_clientdata(editLine) else {
                return UInt8(ceditline_completion_error())
            }
            return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().complete(editLine)
        }
        ceditline_bind(editLine, "^I", "zk-complete")
        ceditline_add_function(editLine, "zk-redisplay", "Redraw the prompt and the line") { editLine, _ in
            guard let editLine, let data = ceditline_get_clientdata(editLine) else {
                return UInt8(ceditline_completion_redisplay())
            }
            return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().redisplay(editLine)
        }
        ceditline_bind(editLine, "^^", "zk-redisplay")
        ceditline_set_getc(editLine) { editLine, character in
            guard let editLine, let character, let data = ceditline_get_clientdata(editLine) else { return -1 }
            return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().readCharacter(into: character)
        }
        // ~/.editrc, as other libedit programs read it.
        ceditline_source(editLine)
    }

    /// Reads a line; "" after Ctrl-C, which drops the line being typed (shown ending in ^C); nil
    /// at end of input (Ctrl-D on an empty line), after ending the prompt's line.
    func readLine(prompt: String) async -> String? {
        await withCheckedContinuation { continuation in
            Blocking.onOwnThread {
                self.promptBuffer = Array(prompt.utf8CString)
                var count: Int32 = 0
                let line = el_gets(self.editLine, &count)
                if self.interrupted {
                    self.interrupted = false
                    FileDescriptorIO.writeAll(Array("^C\n".utf8), to: FileDescriptorIO.standardOutput)
                    return continuation.resume(returning: "")
                }
                guard let line, count > 0 else {
                    FileDescriptorIO.writeAll([UInt8(ascii: "\n")], to: FileDescriptorIO.standardOutput)
                    return continuation.resume(returning: nil)
                }
                let text = String(cString: line).trimming(while: \.isNewline)
                if !text.allSatisfy(\.isWhitespace) {
                    ceditline_history_enter(self.historyHandle, text)
                }
                continuation.resume(returning: text)
            }
        }
    }

    /// The history, oldest first.
    var history: [String] {
        final class Collector { var lines: [String] = [] }
        let collector = Collector()
        ceditline_history_each(historyHandle, Unmanaged.passUnretained(collector).toOpaque()) { context, line in
            guard let context, let line else { return }
            Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue().lines.append(String(cString: line))
        }
        return collector.lines
    }

    func close() {
        if let historyFile { ceditline_history_save(historyHandle, historyFile) }
        history_end(historyHandle)
        el_end(editLine)
    }

    /// libedit's source of characters: the terminal, or, when notices wake us, the redisplay key
    /// after printing them above the line. After Ctrl-C: the redisplay key, then -1, which ends
    /// `el_gets`. Returns 1, 0 at end of input, -1 on error.
    private func readCharacter(into character: UnsafeMutablePointer<wchar_t>) -> Int32 {
        if interrupted { return -1 }
        while true {
            var descriptors = [
                pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                pollfd(fd: interrupts?.descriptor ?? -1, events: Int16(POLLIN), revents: 0),
            ]
            if let interruptions {
                descriptors.append(pollfd(fd: interruptions.descriptor, events: Int16(POLLIN), revents: 0))
            }
            guard poll(&descriptors, nfds_t(descriptors.count), -1) >= 0 else {
                if errno == EINTR { continue }
                return -1
            }
            if let interrupts, descriptors[1].revents != 0, interrupts.take() {
                interrupted = true
                character.pointee = Self.redisplayKey
                return 1
            }
            if let interruptions, descriptors[2].revents != 0 {
                let lines = interruptions.take()
                guard !lines.isEmpty else { continue }
                promptBuffer = Array(interruptions.prompt().utf8CString)
                // Clear the line being typed, print above it; libedit then draws it again.
                let text = "\r\u{1B}[K" + lines.map { $0 + "\n" }.joined()
                FileDescriptorIO.writeAll(Array(text.utf8), to: FileDescriptorIO.standardError)
                character.pointee = Self.redisplayKey
                return 1
            }
            if descriptors[0].revents != 0 { return readScalar(into: character) }
        }
    }

    /// One UTF-8 encoded character from the terminal.
    private func readScalar(into character: UnsafeMutablePointer<wchar_t>) -> Int32 {
        func byte() -> UInt8? {
            var byte: UInt8 = 0
            while true {
                let count = read(STDIN_FILENO, &byte, 1)
                if count == 1 { return byte }
                if count < 0 && errno == EINTR { continue }
                return nil
            }
        }
        guard let first = byte() else { return 0 }
        let length = first < 0x80 ? 1 : first < 0xE0 ? 2 : first < 0xF0 ? 3 : 4
        var bytes = [first]
        while bytes.count < length, let next = byte() { bytes.append(next) }
        let scalar = String(decoding: bytes, as: UTF8.self).unicodeScalars.first ?? "\u{FFFD}"
        character.pointee = wchar_t(bitPattern: scalar.value)
        return 1
    }

    /// The redisplay key: redraws the prompt and the line, or after Ctrl-C moves the cursor to
    /// the end of the line, where ^C is then shown.
    private func redisplay(_ editLine: OpaquePointer) -> UInt8 {
        guard interrupted else { return UInt8(ceditline_completion_redisplay()) }
        ceditline_cursor_to_end(editLine)
        return UInt8(ceditline_completion_cursor())
    }

    /// Tab: completes the word before the cursor; several candidates are listed.
    private func complete(_ editLine: OpaquePointer) -> UInt8 {
        var cursor: Int32 = 0
        var length: Int32 = 0
        guard let buffer = ceditline_line(editLine, &cursor, &length), let completer else {
            return UInt8(ceditline_completion_error())
        }
        let bytes = UnsafeBufferPointer(
            start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: Int(cursor))
        let before = String(decoding: bytes, as: UTF8.self)
        let candidates = completer.candidates(for: before)
        let word = String(before.reversed().prefix { !$0.isWhitespace }.reversed())
        let prefix = Self.commonPrefix(candidates)
        if prefix.count > word.count {
            el_insertstr(editLine, String(prefix.dropFirst(word.count)))
            return UInt8(ceditline_completion_refresh())
        }
        guard candidates.count > 1 else { return UInt8(ceditline_completion_error()) }
        let names = candidates.map {
            $0.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? $0
        }
        FileDescriptorIO.writeAll(
            Array(("\n" + names.joined(separator: "  ") + "\n").utf8), to: FileDescriptorIO.standardOutput)
        return UInt8(ceditline_completion_redisplay())
    }

    static func commonPrefix(_ strings: [String]) -> String {
        guard var prefix = strings.first else { return "" }
        for string in strings.dropFirst() {
            while !string.hasPrefix(prefix) { prefix.removeLast() }
        }
        return prefix
    }
}
