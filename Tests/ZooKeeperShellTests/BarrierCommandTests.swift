import Foundation
import Testing
import ZooKeeper
import ZooKeeperServer
import ZooKeeperTestSupport

/// `zk barrier`, run as processes against an embedded server.
@Suite(.timeLimit(.minutes(3))) struct BarrierCommandTests {
    @Test func processesPassTheBarrierOnlyWhenTheLastArrives() async throws {
        try await ZooKeeperServer.withServer { server in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "zk-barrier-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            @Sendable func participant(_ index: Int) async throws -> ChildProcess.Result {
                try await ShellCommandTests.zk([
                    "-s", server.connectString, "barrier", "/barriers/batch", "--count", "3", "--id", "p\(index)",
                    "--", "touch", "\(directory.path)/passed-\(index)",
                ])
            }
            let observer = try await ZooKeeperClient.connect(server.connectString)
            async let first = participant(1)
            async let second = participant(2)
            try await eventually { (try? await observer.getChildren("/barriers/batch").count) == 2 }
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
            let third = try await participant(3)
            let results = [try await first, try await second, third]
            #expect(results.map(\.status) == [0, 0, 0])
            // Each command ran after all had entered (and before any had left).
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
                    == ["passed-1", "passed-2", "passed-3"])
            #expect(try await observer.getChildren("/barriers/batch").isEmpty)
            try await observer.close()
        }
    }

    @Test func aLoneParticipantGivesUpAndACommandsStatusIsKept() async throws {
        try await ZooKeeperServer.withServer { server in
            let alone = try await ShellCommandTests.zk([
                "-s", server.connectString, "barrier", "/b", "--count", "2", "--wait", "0.3", "--", "true",
            ])
            // Giving up has its own status, not the connection's 7.
            #expect(alone.status == 9)
            #expect(alone.errorText.hasPrefix("zk: gave up waiting: could not enter the barrier /b"))
            let failing = try await ShellCommandTests.zk([
                "-s", server.connectString, "barrier", "/b", "--count", "1", "--", "sh", "-c", "exit 4",
            ])
            #expect(failing.status == 4)
            let refused = try await ShellCommandTests.zk(["-s", server.connectString, "barrier", "/b", "--count", "0"])
            #expect(refused.status == 64)
            let client = try await ZooKeeperClient.connect(server.connectString)
            #expect(try await client.getChildren("/b").isEmpty)
            try await client.close()
        }
    }
}
