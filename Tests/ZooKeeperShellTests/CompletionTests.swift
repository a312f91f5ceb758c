import Foundation
import Testing
import ZooKeeper
import ZooKeeperServer
import ZooKeeperTestSupport

/// The shipped completion scripts (completions/): in step with the commands, and loaded by bash,
/// zsh and fish, they complete subcommands, flags and znode paths that exist only on the server.
@Suite(.timeLimit(.minutes(3))) struct CompletionTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let completions = repository.appendingPathComponent("completions")

    /// What `shell` offers for `line` (scripts/complete_line.py), with zk on PATH.
    static func complete(_ shell: String, _ line: String, server: String? = nil) async throws -> ChildProcess.Result {
        // A server that is up (named in the line or by ZK_SERVER) gets more than completion's one
        // second: it runs in this busy process. (No server answers at once: refused.)
        var environment = ShellCommandTests.environment([
            "PATH": ServeCommandTests.zk.deletingLastPathComponent().path + ":"
                + (ProcessInfo.processInfo.environment["PATH"] ?? ""),
            "ZK_COMPLETION_TIMEOUT": "15",
        ])
        environment["ZK_SERVER"] = server
        return try await ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", repository.appendingPathComponent("scripts/complete_line.py").path, shell, completions.path,
                line,
            ],
            environment: environment, timeout: .seconds(60))
    }

    @Test func scriptsMatchTheCommandDefinitions() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zk-completions-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let generated = try await ChildProcess.run(
            "/bin/sh",
            [
                Self.repository.appendingPathComponent("scripts/generate_completions.sh").path,
                ServeCommandTests.zk.path, directory.path,
            ])
        #expect(generated.status == 0, "\(generated.errorText)")
        for file in ["zk.bash", "_zk", "zk.fish"] {
            let fresh = try Data(contentsOf: directory.appendingPathComponent(file))
            let shipped = try Data(contentsOf: Self.completions.appendingPathComponent(file))
            #expect(fresh == shipped, "completions/\(file) is out of date: run `make completions`")
        }
    }

    @Test(arguments: ["bash", "zsh", "fish"]) func completesCommandsFlagsAndLivePaths(shell: String) async throws {
        try await ZooKeeperServer.withServer(configuration: .init(port: 0)) { server in
            let client = try await ZooKeeperClient.connect(server.connectString)
            _ = try await client.create("/only-on-server", data: [])
            _ = try await client.create("/only-on-server/leaf-7f3a", data: [])
            _ = try await client.create("/only-on-server/leaf-9c1e", data: [])
            try await client.close()
            let address = server.connectString

            let commands = try await Self.complete(shell, "zk getE").text
            #expect(commands.contains("getEphemerals"), "\(commands)")
            let flags = try await Self.complete(shell, "zk get --ba").text
            #expect(flags.contains("--base64"), "\(flags)")
            let json = try await Self.complete(shell, "zk ls --js").text
            #expect(json.contains("--json"), "\(json)")
            let words = try await Self.complete(shell, "zk 4lw mn").text
            #expect(words.contains("mntr"), "\(words)")

            // A path from the server named by -s before the command, by --server, or by ZK_SERVER.
            // (bash splits the line at ':' too: the host:port must stay one word.)
            let top = try await Self.complete(shell, "zk -s \(address) get /only-on").text
            // A lone node with children comes with its slash.
            #expect(top.contains("/only-on-server/"), "\(top)")
            let children = try await Self.complete(shell, "zk --server \(address) ls -s /only-on-server/leaf-7").text
            #expect(children.contains("/only-on-server/leaf-7f3a"), "\(children)")
            #expect(!children.contains("leaf-9c1e"), "\(children)")
            let fromEnvironment = try await Self.complete(shell, "zk stat /only-on-server/leaf-9", server: address).text
            #expect(fromEnvironment.contains("/only-on-server/leaf-9c1e"), "\(fromEnvironment)")
        }
    }

    /// No server: no candidates and nothing on stderr (a hang would hit complete's timeout).
    @Test func noServerMeansNoPathsAndNoErrors() async throws {
        for shell in ["bash", "fish"] {
            let result = try await Self.complete(shell, "zk -s 127.0.0.1:1 get /x")
            #expect(result.status == 0)
            #expect(result.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(shell): \(result.text)")
            #expect(result.errorText.isEmpty, "\(shell): \(result.errorText)")
        }
    }
}
