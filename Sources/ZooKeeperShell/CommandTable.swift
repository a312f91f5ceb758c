import ArgumentParser

/// zk's commands by the names they are typed as: lookup, the names Tab offers, "did you mean",
/// and the overview `help` prints in the shell.
enum CommandTable {
    /// The name a command is typed as. Every subcommand of zk names itself in its configuration
    /// (`CommandTableTests` checks), so no name is derived from a type's name.
    static func name(of type: any ParsableCommand.Type) -> String {
        type.configuration.commandName ?? ""
    }

    static func command(named name: String) -> (any ParsableCommand.Type)? {
        ZKCommand.configuration.subcommands.first { type in
            Self.name(of: type) == name || type.configuration.aliases.contains(name)
        }
    }

    static var names: [String] {
        ZKCommand.configuration.subcommands.flatMap { type in
            [Self.name(of: type)] + type.configuration.aliases
        } + ["help", "history", "redo"]
    }

    /// `unknown command 'lss'; did you mean 'ls'?`
    static func unknownCommand(_ name: String) -> ShellError {
        let suggestion = closest(to: name).map { "; did you mean '\($0)'?" } ?? ""
        return ShellError("unknown command '\(name)'\(suggestion)", status: ExitStatus.usage)
    }

    /// The known command nearest to a mistyped one (edit distance at most 2).
    static func closest(to word: String) -> String? {
        let scored = names.map { ($0, EditDistance.between($0.lowercased(), word.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 2 else { return nil }
        return best.0
    }

    static var overview: String {
        var text = "Commands (help COMMAND for details):\n"
        for type in ZKCommand.configuration.subcommands {
            let typed = Self.name(of: type)
            text += "  " + typed.padding(22) + (type.configuration.abstract) + "\n"
        }
        return text + "  " + "help".padding(22) + "This list.\n  " + "history".padding(22)
            + "The commands typed before."
    }
}
