import Foundation
import Testing
import ZooKeeperTestSupport

/// A connection to a port of this machine where nothing listens can reach itself when the kernel
/// picks that very port as its local one (TCP's simultaneous open). In a network namespace whose
/// only port for outgoing connections is the one asked for, it does every time.
@Suite struct SelfConnectionTests {
    @Test func aPortNothingListensOnIsRefusedEvenWhenTheConnectionReachesItself() async throws {
        let namespace = "zk-self-\(getpid())-\(Int.random(in: 0..<1_000_000))"
        func ip(_ arguments: [String]) async throws -> ChildProcess.Result {
            try await ChildProcess.run("/usr/bin/env", ["ip"] + arguments)
        }
        let added = try await ip(["netns", "add", namespace])
        try #require(added.status == 0, "ip netns add: \(added.errorText)")
        do {
            #expect(try await ip(["netns", "exec", namespace, "ip", "link", "set", "lo", "up"]).status == 0)
            let narrowed = try await ip([
                "netns", "exec", namespace, "sysctl", "-q", "-w", "net.ipv4.ip_local_port_range=40000 40000",
            ])
            #expect(narrowed.status == 0, "\(narrowed.errorText)")
            let zk = try await ip([
                "netns", "exec", namespace, ServeCommandTests.zk.path, "-s", "127.0.0.1:40000", "--connect-timeout",
                "3", "get", "/",
            ])
            #expect(zk.status != 0)
            // Before, it read its own handshake back: "this is not a ZooKeeper server".
            #expect(zk.errorText.contains("connection refused"), "\(zk.errorText)")
            #expect(!zk.errorText.contains("not a ZooKeeper server"), "\(zk.errorText)")
        } catch {
            _ = try? await ip(["netns", "delete", namespace])
            throw error
        }
        #expect(try await ip(["netns", "delete", namespace]).status == 0)
    }
}
