import Foundation
import Testing
import ZooKeeperTestSupport

/// The test support's ports for servers: free, distinct, and never ones the kernel may give an
/// outgoing connection meanwhile.
@Suite struct FreePortTests {
    @Test func freePortsAreDistinctAndBelowTheEphemeralRange() throws {
        let range = try String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)
        let lowestEphemeral = try #require(range.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) })
        let ports = try (0..<50).map { _ in try freePort() }
        #expect(Set(ports).count == ports.count)
        #expect(ports.allSatisfy { $0 >= 10000 && $0 < lowestEphemeral }, "\(ports)")
    }
}
