import Foundation
import ZooKeeper
import ZooKeeperServer
import ZooKeeperTestSupport

/// The servers `zk` processes are run against in the recipe command tests: an embedded server
/// (with 200 ms ticks, so sessions can expire within a second), or the shared real Apache
/// ZooKeeper under a fresh chroot of this test's own.
enum ShellTarget: String, CaseIterable, Sendable {
    case embedded, apache

    /// Runs `body` with a connect string for `zk -s`; removes what it made afterwards.
    func withConnectString(_ body: (String) async throws -> Void) async throws {
        switch self {
        case .embedded:
            // Sessions as short as a tick or as long as a minute, as the shared Apache ZooKeeper's:
            // a session meant to expire asks for a short timeout, the others keep zk's 30 s (a
            // busy machine can starve a process for seconds).
            var configuration = ZooKeeperServer.Configuration(port: 0)
            configuration.tickTime = .milliseconds(200)
            configuration.maxSessionTimeout = .seconds(60)
            try await ZooKeeperServer.withServer(configuration: configuration) { server in
                try await body(server.connectString)
            }
        case .apache:
            let hosts = try await SharedApacheZooKeeper.connectString()
            let root = "/shell-\(UUID().uuidString.prefix(8))"
            let admin = try await ZooKeeperClient.connect(hosts, configuration: SharedApacheZooKeeper.configuration())
            try await admin.create(root)
            do {
                try await body(hosts + root)
            } catch {
                _ = try? await admin.close()
                throw error
            }
            try await admin.close()
        }
    }
}
