import Foundation
import Testing
import ZooKeeperServer
import ZooKeeperTestSupport

/// Outside the interactive shell nothing waits for a server that is not there, and Ctrl-C keeps
/// its default: one-shot commands and scripts fail fast without a server, and SIGINT ends them.
@Suite(.timeLimit(.minutes(3))) struct OneShotFailureTests {
    @Test(arguments: [["create", "/x"], ["-c", "create /x"]])
    func failsFastWithoutAServer(command: [String]) async throws {
        let started = ContinuousClock.now
        let result = try await ShellCommandTests.zk(
            ["-s", "127.0.0.1:\(try freePort())", "--connect-timeout", "1"] + command)
        #expect(result.status == 7)
        #expect(result.errorText.hasPrefix("zk: cannot connect to 127.0.0.1:"), "\(result.errorText)")
        #expect(result.errorText.split(separator: "\n").count == 1, "\(result.errorText)")
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    /// `watch` one-shot, and `queue take` in a script read from stdin: SIGINT ends zk.
    @Test(arguments: [(["watch", "/w"], ""), ([], "queue take /jobs\n")])
    func sigintEndsOneShotCommandsAndScripts(command: [String], script: String) async throws {
        var configuration = ZooKeeperServer.Configuration(port: 0)
        configuration.fourLetterWordWhitelist = ["*"]
        try await ZooKeeperServer.withServer(configuration: configuration) { server in
            let zk: ([String], [UInt8]) async throws -> ChildProcess.Result = { arguments, input in
                try await ShellCommandTests.zk(["-s", server.connectString] + arguments, input: input)
            }
            _ = try await zk(["create", "/w"], [])
            let process = Process()
            process.executableURL = ServeCommandTests.zk
            process.environment = ShellCommandTests.environment()
            process.arguments = ["-s", server.connectString] + command
            let input = Pipe()
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            input.fileHandleForWriting.write(Data(script.utf8))
            defer { try? input.fileHandleForWriting.close() }
            // The server's own list (wchp shows data watches only, not queue take's children watch).
            let watched = command.isEmpty ? "/jobs" : "/w"
            try await eventually(within: .seconds(60)) { try await server.watches().contains { $0.path == watched } }
            process.interrupt()
            await ChildProcess.waitUntilExit(process)
            #expect(process.terminationReason == .uncaughtSignal)
            #expect(process.terminationStatus == SIGINT)
        }
    }
}
