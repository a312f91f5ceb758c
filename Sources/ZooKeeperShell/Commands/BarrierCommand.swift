import ArgumentParser
import ZooKeeper
import ZooKeeperRecipes

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

struct BarrierCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "barrier",
        abstract: "Wait at a double barrier until COUNT processes have arrived; run a command; leave together.",
        discussion: """
            Enters the barrier at PATH and waits until COUNT participants are in, then runs COMMAND
            (if given), then leaves and waits until every participant has left; exits with the
            command's status. --wait bounds each of the two waits (exit 9, "gave up waiting", when it passes).
            Example: zk barrier /barriers/batch --count 3 -- ./step.sh
            """)
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .long, help: "How many participants to wait for.") var count: Int
    @Option(name: .long, help: "Give up a wait after this many seconds (exit 9).") var wait: Double?
    @Option(name: .long, help: "This participant's name (default: host name and process id).") var id: String?
    @Argument(help: "The barrier's node.", completion: .znode) var path: String
    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.") var command: [String] = []

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        if let wait, wait <= 0 { throw ValidationError("--wait must be positive") }
    }

    func run(in shell: ShellContext) async throws {
        let zk = try await shell.zk()
        let name = id ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        let barrier = DoubleBarrier(client: zk, path: shell.resolve(path), count: count, id: name)
        let timeout = wait.map { Duration.milliseconds(Int64($0 * 1000)) }
        do {
            try await barrier.enter(timeout: timeout)
            var status: Int32 = 0
            if !command.isEmpty {
                do {
                    status = try await ChildCommand.run(command)
                } catch {
                    try? await barrier.leave(timeout: timeout)
                    throw error
                }
            }
            try await barrier.leave(timeout: timeout)
            if status != 0 { throw ExitCode(status) }
        } catch let error as RecipeTimeout {
            throw ShellError.gaveUp(error)
        }
    }
}
