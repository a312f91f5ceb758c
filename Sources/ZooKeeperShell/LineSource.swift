import ProcessSupport

/// Where command lines come from: a terminal (libedit), stdin, or a fixed list (-c, -f).
final class LineSource: @unchecked Sendable {
    enum Kind {
        case editor(LineEditor)
        case standardInput
        case fixed([String])
    }

    let kind: Kind
    /// The position in a fixed list; touched only by the one task reading lines.
    private var index = 0

    init(_ kind: Kind) {
        self.kind = kind
    }

    var editor: LineEditor? {
        if case .editor(let editor) = kind { return editor }
        return nil
    }

    /// The next line, or nil at the end. Blocking reads run on a thread of their own.
    func next(prompt: String) async -> String? {
        switch kind {
        case .editor(let editor):
            return await editor.readLine(prompt: prompt)
        case .standardInput:
            return await withCheckedContinuation { continuation in
                Blocking.onOwnThread { continuation.resume(returning: Swift.readLine(strippingNewline: true)) }
            }
        case .fixed(let lines):
            guard index < lines.count else { return nil }
            defer { index += 1 }
            return lines[index]
        }
    }
}
