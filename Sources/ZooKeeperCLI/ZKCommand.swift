import ArgumentParser

/// `zk`: the ZooKeeper command-line client and server.
public struct ZKCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "zk",
        abstract: "A ZooKeeper toolkit: an embedded ZooKeeper-compatible server.",
        discussion: """
            Exit status: 0 success, 1 runtime failure, 64 usage error.
            """,
        subcommands: [ServeCommand.self]
    )

    public init() {}

    /// Parses the process arguments and runs the command; exits with its status.
    public static func runMain() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
