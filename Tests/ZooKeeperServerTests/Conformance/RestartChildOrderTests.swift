import Foundation
import Testing
import ZooKeeper
import ZooKeeperServer
import ZooKeeperTestSupport

/// After a restart, children are listed in the order Apache ZooKeeper lists them after its own:
/// a server that loads a snapshot puts each node's children back in the snapshot's order into a
/// new Java `HashSet`, which has no memory of the capacity that deletions left behind, so the
/// order can differ from the one before the restart.
@Suite(.timeLimit(.minutes(10))) struct RestartChildOrderTests {
    @Test func onApachesDataDirectoryChildrenAreListedAsApacheListsThemAfterItsRestart() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("restart-order-\(UUID())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // Apache: the history, then restarts (a snapshot is taken every few transactions).
        let (before, apache) = try await ApacheZooKeeper.with(tickTime: 2000, extraConfig: ["snapCount=4"]) {
            server in
            let zk = try await ZooKeeperClient.connect(server.connectString)
            try await Self.history(zk)
            let before = try await Self.listings(zk)
            _ = try await zk.close()
            for _ in 0..<2 {
                await server.kill(1)
                try await server.restart(1)
            }
            let again = try await ZooKeeperClient.connect(server.connectString)
            let after = try await Self.listings(again)
            _ = try await again.close()
            await server.kill(1)
            let data = server.dataDirectory(of: 1)
            for name in try FileManager.default.contentsOfDirectory(atPath: data) {
                try FileManager.default.copyItem(
                    atPath: data + "/" + name, toPath: scratch.appendingPathComponent(name).path)
            }
            return (before, after)
        }
        // The history is one that a restart from a snapshot reorders (else this proves nothing).
        #expect(before != apache)
        // zk serve on a copy of Apache's directory.
        var configuration = ZooKeeperServer.Configuration(port: 0)
        configuration.dataDirectory = scratch.path
        let ours = try await ZooKeeperServer.withServer(configuration: configuration) { server in
            let zk = try await ZooKeeperClient.connect(server.connectString)
            let listings = try await Self.listings(zk)
            _ = try await zk.close()
            return listings
        }
        #expect(ours == apache)
    }

    static let parents = ["/grown-and-emptied", "/steady", "/churned"]

    /// Sets that grew and shrank (the table keeps its size until a restart), one that only grew,
    /// and one with names deleted and created again.
    static func history(_ zk: ZooKeeperClient) async throws {
        for parent in parents { try await zk.create(parent) }
        for index in 0..<100 { try await zk.create("/grown-and-emptied/n\(index)") }
        for index in 0..<100 where index % 10 != 0 { try await zk.delete("/grown-and-emptied/n\(index)") }
        for index in 0..<20 { try await zk.create("/steady/item-\(index)") }
        for index in 0..<40 { try await zk.create("/churned/c\(index)") }
        for index in stride(from: 0, to: 40, by: 3) { try await zk.delete("/churned/c\(index)") }
        for index in stride(from: 0, to: 40, by: 6) { try await zk.create("/churned/c\(index)") }
    }

    static func listings(_ zk: ZooKeeperClient) async throws -> [String] {
        var listings: [String] = []
        for parent in parents { listings.append(try await zk.getChildren(parent).joined(separator: " ")) }
        return listings
    }
}
