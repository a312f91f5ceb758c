import ArgumentParser
import ProcessSupport

/// A command that works on a shell context: the REPL's, or a fresh one for a one-shot run.
protocol ShellCommand: AsyncParsableCommand {
    var global: GlobalOptions { get }
    var output: OutputOptions { get }
    func run(in shell: ShellContext) async throws
}

/// A command that only means something in the shell or a script (`cd`, `printwatches`...): run
/// once, it would do nothing, so it is refused.
protocol ShellOnlyCommand: ShellCommand {}

extension ShellCommand {
    func run() async throws {
        if Self.self is any ShellOnlyCommand.Type && ShellContext.current == nil {
            let name = CommandTable.name(of: Self.self)
            let message = "zk: \(name) works in the interactive shell or a script only (zk -c '\(name) ...; ...')\n"
            FileDescriptorIO.writeAll(Array(message.utf8), to: FileDescriptorIO.standardError)
            throw ExitCode(ExitStatus.usage)
        }
        if let shell = ShellContext.current {
            return try await ShellContext.$commandWantsJSON.withValue(output.json) { try await run(in: shell) }
        }
        let shell = ShellContext(options: global, json: output.json)
        do {
            try await run(in: shell)
            try await shell.finishOneShot()
            await shell.close()
        } catch let exit as ExitCode {
            // A status the command chose (exists on a missing node, grep without a match): it
            // has said what it had to, so there is no error to report.
            await shell.close()
            throw exit
        } catch {
            let status = shell.report(error)
            await shell.close()
            throw ExitCode(status)
        }
    }
}
