import ArgumentParser

struct ChangeDirectory: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "cd", abstract: "Change the current node ('-': back, '..': up).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The node (default: /).", completion: .znode) var path: String = "/"

    func run(in shell: ShellContext) async throws {
        try await shell.changeDirectory(path)
    }
}

struct PrintDirectory: ShellCommand {
    static let configuration = CommandConfiguration(commandName: "pwd", abstract: "Print the current node.")
    @OptionGroup var global: GlobalOptions

    func run(in shell: ShellContext) async throws {
        shell.output.line(shell.cwd)
    }
}

struct Quit: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "quit", abstract: "Leave the shell.", aliases: ["exit"])
    @OptionGroup var global: GlobalOptions

    func run(in shell: ShellContext) async throws {
        throw QuitRequested()
    }
}

/// Ends the REPL.
struct QuitRequested: Error {}
