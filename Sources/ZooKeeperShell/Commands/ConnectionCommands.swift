import ArgumentParser

struct ConnectCommand: ShellOnlyCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect", abstract: "Connect the shell to another server (a new session).")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The connect string, host:port[,host:port...][/chroot].") var server: String

    func run(in shell: ShellContext) async throws {
        try await shell.connect(to: server)
    }
}

struct CloseCommand: ShellOnlyCommand {
    static let configuration = CommandConfiguration(
        commandName: "close",
        abstract: "Close the session (its ephemeral nodes go); the next command opens a new one.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    func run(in shell: ShellContext) async throws {
        await shell.disconnect()
    }
}

struct PrintWatchesCommand: ShellOnlyCommand {
    static let configuration = CommandConfiguration(
        commandName: "printwatches", abstract: "Turn the printing of -w watch events on or off in the shell.")
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "on or off (default: show the setting).", completion: .list(["on", "off"])) var setting: String?

    func validate() throws {
        if let setting, setting != "on" && setting != "off" { throw ValidationError("printwatches takes on or off") }
    }

    func run(in shell: ShellContext) async throws {
        if let setting { shell.notices.printsWatches = setting == "on" }
        if shell.json { return shell.output.json(["printwatches": shell.notices.printsWatches]) }
        shell.output.line("printwatches is \(shell.notices.printsWatches ? "on" : "off")")
    }
}
