import Foundation
import Testing
import ZooKeeperTestSupport

/// zk ends on SIGTERM even when its parent started it with every signal blocked (as a parent's
/// worker threads often have them): its main thread accepts signals from the start, in a direct
/// read as in the full client.
@Suite(.timeLimit(.minutes(2))) struct SignalMaskTests {
    @Test(arguments: [["get", "/x"], ["--timeout", "30", "get", "/x"]])
    func sigtermEndsZkStartedWithSignalsBlocked(command: [String]) async throws {
        let server = try SilentServer()
        defer { withExtendedLifetime(server) {} }
        let port = server.port
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            [
                "python3", "-c",
                "import os, signal, sys; signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals()); "
                    + "os.execv(sys.argv[1], sys.argv[1:])",
                ServeCommandTests.zk.path, "-s", "127.0.0.1:\(port)",
            ] + command
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Let it connect and send its request first (a signal sent earlier would only wait).
        try await Task.sleep(for: .milliseconds(500))
        #expect(process.isRunning)
        process.terminate()
        await ChildProcess.waitUntilExit(process)
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(process.terminationStatus == SIGTERM)
    }
}
