import ArgumentParser
import ProcessSupport
import ZooKeeper

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The shell: reads command lines (from a terminal, a script or -c), runs each in one shared
/// context, and keeps going after failures unless asked to stop. On a terminal, Ctrl-C drops the
/// line being typed or interrupts the running command, and the shell goes on; in scripts it
/// ends zk, as it does a one-shot command.
struct ShellLoop {
    let options: GlobalOptions
    /// Every command prints JSON (`zk --json`).
    var json = false
    let stopOnError: Bool

    /// Runs and returns the exit status: 0, or the status of the last failing command.
    func run(command: String?, file: String?) async throws -> Int32 {
        let lines: LineSource
        if let command {
            lines = LineSource(.fixed(command.split(separator: "\n").map(String.init)))
        } else if let file {
            switch FileDescriptorIO.readFile(file) {
            case .success(let bytes):
                lines = LineSource(
                    .fixed(String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)))
            case .failure(let error):
                throw ShellError(error.message, status: ExitStatus.usage)
            }
        } else if LineEditor.isInteractive {
            lines = LineSource(.editor(LineEditor()))
        } else {
            lines = LineSource(.standardInput)
        }
        let interactive = lines.editor != nil
        let shell = ShellContext(options: options, interactive: interactive, script: true, json: json)
        let interrupts = interactive ? Interrupts.catching() : nil
        lines.editor?.completer = Completer(shell: shell)
        lines.editor?.interruptions = LineEditor.Interruptions(
            descriptor: shell.notices.wakeDescriptor, take: shell.notices.take, prompt: { Self.prompt(shell) })
        lines.editor?.interrupts = interrupts
        defer { lines.editor?.close() }
        var status: Int32 = 0
        if interactive {
            // Connect at once, so the prompt shows the state and a bad server is reported now;
            // without a server the shell starts anyway (Ctrl-C stops waiting for one).
            let opened = await Self.interruptibly(interrupts) { () async -> (any Error)? in
                do { try await shell.openSession() } catch { return error }
                return nil
            }
            if opened.interrupted { Self.endLine() }
            if let error = opened.value { return shell.report(error) }
        }
        commands: while true {
            // Events and session changes appear before the next prompt (and above the line being typed).
            await printNotifications(shell)
            guard let line = await lines.next(prompt: interactive ? Self.prompt(shell) : "") else { break }
            let commands: [[String]]
            do {
                commands = try CommandLineWords.commands(line)
            } catch {
                status = shell.report(error)
                if stopOnError { break } else { continue }
            }
            for words in commands {
                let result = await perform(words, lines: lines, shell: shell, interrupts: interrupts)
                if result == Self.quit { break commands }
                if result != 0 {
                    status = result
                    if stopOnError { break commands }
                }
                // Ctrl-C drops the rest of the line too, as in sh.
                if result == ExitStatus.interrupted && interrupts != nil { break }
            }
        }
        await printNotifications(shell)
        await shell.close()
        return status
    }

    /// Runs one command of a line, the shell's own (`help`, `history`, `redo`) included; returns
    /// its status, or `quit`.
    private func perform(
        _ words: [String], lines: LineSource, shell: ShellContext, interrupts: Interrupts?
    ) async -> Int32 {
        let name = words[0]
        if name == "help" {
            guard words.count > 1 else {
                shell.output.line(CommandTable.overview)
                return 0
            }
            guard let type = CommandTable.command(named: words[1]) else {
                return shell.report(CommandTable.unknownCommand(words[1]))
            }
            shell.output.line(ZKCommand.withConnectionOptionsHint(ZKCommand.helpMessage(for: type), for: type))
            return 0
        }
        guard let editor = lines.editor else {
            if name == "redo" || name == "history" {
                return shell.report(
                    ShellError("\(name) works in the interactive shell only", status: ExitStatus.usage))
            }
            return await run(words, shell: shell, interrupts: interrupts)
        }
        if name == "history" {
            let width = String(editor.history.count).count
            for (index, entry) in editor.history.enumerated() {
                let number = String(index + 1)
                shell.output.line(String(repeating: " ", count: width - number.count) + number + "  " + entry)
            }
            return 0
        }
        guard name == "redo" else { return await run(words, shell: shell, interrupts: interrupts) }
        // redo N runs history entry N again (the redo line itself is not counted).
        let history = editor.history.dropLast()
        guard words.count == 2, let number = Int(words[1]), history.indices.contains(number - 1),
            let again = try? CommandLineWords.commands(history[number - 1]), !again.isEmpty,
            !again.contains(where: { $0.first == "redo" })
        else {
            return shell.report(ShellError("redo takes a number from history", status: ExitStatus.usage))
        }
        shell.output.line(history[number - 1])
        var status: Int32 = 0
        for command in again {
            let result = await run(command, shell: shell, interrupts: interrupts)
            if result == Self.quit { return result }
            if result != 0 { status = result }
        }
        return status
    }

    /// Runs a command of zk's in the shell's context, interruptibly.
    private func run(_ command: [String], shell: ShellContext, interrupts: Interrupts?) async -> Int32 {
        let (result, interrupted) = await Self.interruptibly(interrupts) { [self, command] in
            await execute(command, in: shell)
        }
        if interrupted { Self.endLine() }
        return result
    }

    static let quit: Int32 = -1

    /// After Ctrl-C, which the terminal showed as ^C where the cursor was: the next prompt starts
    /// a line of its own.
    private static func endLine() {
        FileDescriptorIO.writeAll([UInt8(ascii: "\n")], to: FileDescriptorIO.standardOutput)
    }

    /// Runs `body`, in the interactive shell as a task that Ctrl-C cancels.
    private static func interruptibly<T: Sendable>(
        _ interrupts: Interrupts?, _ body: @escaping @Sendable () async -> T
    ) async -> (value: T, interrupted: Bool) {
        guard let interrupts else { return (await body(), false) }
        return await interrupts.cancelling(body)
    }

    /// Runs one command line; returns its status (or `quit`). Interrupted (Ctrl-C cancelled its
    /// task), it reports nothing and returns 130, as for a process ended by SIGINT.
    private func execute(_ words: [String], in shell: ShellContext) async -> Int32 {
        guard CommandTable.command(named: words[0]) != nil else {
            return shell.report(CommandTable.unknownCommand(words[0]))
        }
        do {
            var command = try ZKCommand.parseAsRoot(words)
            guard var asyncCommand = command as? any AsyncParsableCommand, !(command is ZKCommand) else {
                try command.run()
                return 0
            }
            try await ShellContext.$current.withValue(shell) {
                try await asyncCommand.run()
            }
            return Task.isCancelled ? ExitStatus.interrupted : 0
        } catch _ where Task.isCancelled {
            return ExitStatus.interrupted
        } catch is QuitRequested {
            return Self.quit
        } catch let exit as ExitCode {
            return exit.rawValue
        } catch let error as ZooKeeperError {
            return shell.report(error)
        } catch let error as ShellError {
            return shell.report(error)
        } catch {
            // A parse error: one line naming the help to read; a help request: the help.
            shell.output.error(ZKCommand.usageLine(for: error, arguments: words) ?? ZKCommand.fullMessage(for: error))
            return ZKCommand.exitCode(for: error).rawValue
        }
    }

    /// `[zk: SERVER STATE] CWD> `.
    private static func prompt(_ shell: ShellContext) -> String {
        let state = shell.notices.state.map { "\($0)" } ?? "DISCONNECTED"
        return "[zk: \(shell.options.embedded ? "embedded" : shell.connectString) \(state)] \(shell.cwd)> "
    }

    /// Prints the events of watches set with -w that have fired, and session changes.
    private func printNotifications(_ shell: ShellContext) async {
        for line in await shell.notices.drain() { shell.output.error(line) }
    }
}

/// Levenshtein distance, for "did you mean".
enum EditDistance {
    static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}

/// zk's one tokenizer, for the shell's lines, `-c`, `-f` and scripts on stdin: whitespace
/// separates words, `;` and newlines separate commands, '...' quotes everything, "..." quotes all
/// but \, and \ escapes the next character. Quoted or escaped, `;` is an ordinary character. A
/// line whose first word starts with `#` is a comment.
enum CommandLineWords {
    /// The commands of a text, each as its words (empty commands left out).
    static func commands(_ text: String) throws -> [[String]] {
        try tokenize(text, separatesCommands: true)
    }

    /// The words of one command (`;` is an ordinary character here: `txn` operations).
    static func split(_ line: String) throws -> [String] {
        try tokenize(line, separatesCommands: false).first ?? []
    }

    private static func tokenize(_ text: String, separatesCommands: Bool) throws -> [[String]] {
        var commands: [[String]] = []
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        var comment = false
        func endWord() {
            if inWord { words.append(current) }
            current = ""
            inWord = false
        }
        func endCommand() {
            endWord()
            if !words.isEmpty { commands.append(words) }
            words = []
        }
        for character in text {
            if comment {
                if character == "\n" { comment = false }
                continue
            }
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" && quote != "'" {
                escaped = true
                inWord = true
            } else if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "'" || character == "\"" {
                quote = character
                inWord = true
            } else if separatesCommands && (character == ";" || character == "\n") {
                endCommand()
            } else if character.isWhitespace {
                endWord()
            } else if character == "#" && !inWord && words.isEmpty {
                comment = true
            } else {
                current.append(character)
                inWord = true
            }
        }
        if quote != nil || escaped {
            let what = quote != nil ? "unclosed quote" : "a \\ with nothing after it"
            throw ShellError("\(what) in: \(text)", status: ExitStatus.usage)
        }
        endCommand()
        return commands
    }
}
