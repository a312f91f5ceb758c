import Foundation
import Testing
import ZooKeeper
import ZooKeeperServer
import ZooKeeperTestSupport

/// A server whose transaction log cannot be written stops serving: no reply without the disk,
/// no new connections, and `waitUntilClosed()` says why. The disk is a small tmpfs of the test's
/// own (the tests run as root, in CI too), filled by the writes.
@Suite(.timeLimit(.minutes(3))) struct DiskFailureTests {
    @Test func aServerWhoseDiskFillsUpStopsAndSaysWhy() async throws {
        let directory = try DurabilityTests.temporaryDirectory()
        let mounted = try await ChildProcess.run("/bin/mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", directory])
        try #require(mounted.status == 0, "mount: \(mounted.errorText)")
        do {
            try await fillTheDisk(directory)
        } catch {
            _ = try? await ChildProcess.run("/bin/umount", ["--lazy", directory])
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        _ = try await ChildProcess.run("/bin/umount", ["--lazy", directory])
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func fillTheDisk(_ directory: String) async throws {
        let server = try await ZooKeeperServer.start(configuration: DurabilityTests.configuration(directory))
        var configuration = ZooKeeperClient.Configuration()
        configuration.requestTimeout = .seconds(30)
        let zk = try await ZooKeeperClient.connect(server.connectString, configuration: configuration)
        var written = 0
        do {
            for index in 0..<100 {
                try await zk.create("/n\(index)", data: [UInt8](repeating: 7, count: 100_000))
                written += 1
            }
        } catch {}
        #expect(written < 100, "512 KiB held \(written) writes of 100 kB")
        let stopped = await #expect(throws: ZooKeeperServer.ServerStopped.self) {
            try await server.waitUntilClosed()
        }
        #expect(stopped?.reason.contains("transaction log") == true, "\(String(describing: stopped))")
        try await zk.close()
        try await server.shutdown()
    }
}
