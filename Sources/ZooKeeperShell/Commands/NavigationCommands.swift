import ArgumentParser

struct ChangeDirectoryCommand: ShellOnlyCommand {
    static let configuration = CommandConfiguration(
        commandName: "cd", abstract: "Change the current node ('-': back, '..': up).")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The node (default: /).", completion: .znode) var path: String = "/"

    func run(in shell: ShellContext) async throws {
        try await shell.changeDirectory(path)
    }
}

struct PrintDirectoryCommand: ShellOnlyCommand {
    static let configuration = CommandConfiguration(commandName: "pwd", abstract: "Print the current node.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    func run(in shell: ShellContext) async throws {
        shell.json ? shell.output.json(["path": shell.cwd]) : shell.output.line(shell.cwd)
    }
}

struct QuitCommand: ShellOnlyCommand {
    static let configuration = CommandConfiguration(
        commandName: "quit", abstract: "Leave the shell.", aliases: ["exit"])
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    func run(in shell: ShellContext) async throws {
        throw QuitRequested()
    }
}

/// Ends the REPL.
struct QuitRequested: Error {}
