import Foundation
import Testing
import ZooKeeperTestSupport

/// zk ends on SIGTERM even when its parent started it with every signal blocked (as a parent's
/// worker threads often have them): its main thread accepts signals from the start, in a direct
/// read as in the full client.
@Suite(.timeLimit(.minutes(2))) struct SignalMaskTests {
    @Test(arguments: [["get", "/x"], ["--timeout", "30", "get", "/x"]])
    func sigtermEndsZkStartedWithSignalsBlocked(command: [String]) async throws {
        // A server that accepts connections (the kernel does, into the backlog) and never answers,
        // so zk waits for the session's answer until it is killed.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 8) == 0
                    && getsockname(listener, pointer, &length) == 0
            }
        }
        #expect(bound)
        let port = UInt16(bigEndian: address.sin_port)

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
