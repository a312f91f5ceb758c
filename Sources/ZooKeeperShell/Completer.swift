import ArgumentParser
import Dispatch
import ProcessSupport

/// What Tab offers: command names for the first word; after it, the command's flags, the values
/// an option takes, and znode paths (asking the server).
final class Completer: @unchecked Sendable {
    let shell: ShellContext
    /// How long Tab waits for the server's answer before it offers nothing: a second, since the
    /// terminal waits meanwhile (tests on a busy machine give it longer).
    let patience: DispatchTimeInterval

    init(shell: ShellContext, patience: DispatchTimeInterval = .seconds(1)) {
        self.shell = shell
        self.patience = patience
    }

    /// Candidates for the last word of `line` (the text before the cursor), each a full word.
    func candidates(for line: String) -> [String] {
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        let typingFirst = words.isEmpty || (words.count == 1 && !line.hasSuffix(" "))
        let word = line.hasSuffix(" ") ? "" : String(words.last ?? "")
        if typingFirst {
            return CommandTable.names.filter { $0.hasPrefix(word) }.sorted()
        }
        let options = CommandOptions(command: String(words[0]))
        if word.hasPrefix("-") {
            return options.names.filter { $0.hasPrefix(word) }.sorted()
        }
        let previous = words.count >= (word.isEmpty ? 1 : 2) ? String(words[words.count - (word.isEmpty ? 1 : 2)]) : ""
        if let values = options.values(of: previous) {
            return values.filter { $0.hasPrefix(word) }.sorted()
        }
        let shell = self.shell
        // Asked from libedit's thread: wait a little at most.
        return Blocking.wait(atMost: patience, or: []) {
            await PathCandidates.complete(
                word, resolve: { shell.resolve($0.isEmpty ? "." : $0) },
                children: { (try? await shell.zk().getChildren($0)) ?? [] },
                hasChildren: { ((try? await shell.zk().exists($0))?.numChildren ?? 0) > 0 })
        }
    }
}

/// A command's options as argument-parser describes them (its help dump): names and, for options
/// with a fixed set of values, those values.
struct CommandOptions {
    private struct Option {
        var names: [String]
        var values: [String]?
    }
    private var options: [Option] = []
    /// Options that only make sense on zk's own command line, not on a line of the shell.
    private static let processOnly: Set<String> = [
        "--server", "--timeout", "--connect-timeout", "--auth", "--embedded", "--tls", "--tls-ca", "--tls-cert",
        "--tls-key", "--insecure-skip-tls-verify", "--read-only",
    ]

    init(command: String) {
        guard CommandTable.command(named: command) != nil,
            let dump = try? JSONText.decode(Self.helpDump(of: command).utf8) as? [String: Any],
            let arguments = (dump["command"] as? [String: Any])?["arguments"] as? [[String: Any]]
        else { return }
        for argument in arguments {
            let names = (argument["names"] as? [[String: Any]] ?? []).compactMap { name -> String? in
                guard let kind = name["kind"] as? String, let text = name["name"] as? String else { return nil }
                return (kind == "long" ? "--" : "-") + text
            }
            guard !names.isEmpty, Self.processOnly.isDisjoint(with: names) else { continue }
            let values = argument["kind"] as? String == "option" ? argument["allValues"] as? [String] : nil
            options.append(Option(names: names, values: values))
        }
    }

    /// argument-parser's description of the command, as `zk COMMAND --experimental-dump-help`
    /// prints it (the description `generate-manual` and completion scripts are made from).
    private static func helpDump(of command: String) -> String {
        do {
            _ = try ZKCommand.parseAsRoot([command, "--experimental-dump-help"])
            return ""
        } catch {
            return ZKCommand.fullMessage(for: error)
        }
    }

    /// Every flag and option name, long and short.
    var names: [String] { options.flatMap(\.names) }

    /// The values the option named `name` takes, if it has a fixed set.
    func values(of name: String) -> [String]? {
        options.first { $0.names.contains(name) }?.values
    }
}
