import Foundation
import Testing
import ZooKeeper
import ZooKeeperServer
import ZooKeeperTestSupport

@testable import ZooKeeperShell

/// The interactive shell's Tab (its Completer, without a terminal).
@Suite(.timeLimit(.minutes(3))) struct ShellCompletionTests {
    /// The candidates for `line`, asked on a thread of their own (the completer blocks, as it
    /// does on libedit's thread).
    static func candidates(_ line: String, server: String) async throws -> [String] {
        let shell = ShellContext(options: try GlobalOptions.parse(["--server", server]))
        let completer = Completer(shell: shell, patience: .seconds(60))
        let candidates = await withCheckedContinuation { continuation in
            Blocking.onOwnThread { continuation.resume(returning: completer.candidates(for: line)) }
        }
        await shell.close()
        return candidates
    }

    @Test func flagsOfTheLineAndSlashesAfterParents() async throws {
        try await ZooKeeperServer.withServer(configuration: .init(port: 0)) { server in
            let client = try await ZooKeeperClient.connect(server.connectString)
            _ = try await client.create("/parent-4c2e", data: [])
            _ = try await client.create("/parent-4c2e/leaf", data: [])
            try await client.close()
            // Connection options mean nothing on a line of the shell; --json does.
            let flags = try await Self.candidates("ls --", server: server.connectString)
            #expect(flags.contains("--json"), "\(flags)")
            #expect(!flags.contains { $0.hasPrefix("--tls") || $0 == "--embedded" || $0 == "--server" }, "\(flags)")
            // A node with children completes with its slash, a leaf without.
            #expect(try await Self.candidates("get /parent-4", server: server.connectString) == ["/parent-4c2e/"])
            #expect(
                try await Self.candidates("get /parent-4c2e/le", server: server.connectString) == ["/parent-4c2e/leaf"])
        }
    }
}
