import NIOCore
import Testing
import ZooKeeperProtocol

@Suite(.timeLimit(.minutes(3))) struct StatTests {
    @Test func statIs68BytesAndRoundTrips() throws {
        let stat = Stat(
            czxid: 1, mzxid: 2, ctime: 3, mtime: 4, version: 5, cversion: 6, aversion: 7,
            ephemeralOwner: 8, dataLength: 9, numChildren: 10, pzxid: 11)
        let buffer = stat.juteEncoded()
        #expect(buffer.readableBytes == 68)
        #expect(try Stat(decodingAll: buffer) == stat)
    }

    @Test func statGoldenVectors() {
        // Java jute: new Stat(0x100000002L, 0x100000007L, 1700000000123L, 1700000456789L, 3, -1, 1,
        // 0x9b00000000000001L, 5, 2, 0x100000009L) and new Stat(2L, 2L, 1L, 1L, 0, 0, 0, 0L, 0, 0, 2L).
        expectGolden(Fixtures.statA, Fixtures.statAHex)
        expectGolden(Fixtures.statB, Fixtures.statBHex)
    }

    @Test func statFieldOrder() throws {
        // Each field a distinct value, so a swapped pair of same-width fields shows up.
        var bytes: [UInt8] = []
        for (value, width) in [
            (1, 8), (2, 8), (3, 8), (4, 8), (5, 4), (6, 4), (7, 4), (8, 8), (9, 4), (10, 4), (11, 8),
        ] {
            bytes += [UInt8](repeating: 0, count: width - 1) + [UInt8(value)]
        }
        let stat = try decode(Stat.self, bytes)
        #expect(stat.czxid == 1)
        #expect(stat.mzxid == 2)
        #expect(stat.ctime == 3)
        #expect(stat.mtime == 4)
        #expect(stat.version == 5)
        #expect(stat.cversion == 6)
        #expect(stat.aversion == 7)
        #expect(stat.ephemeralOwner == 8)
        #expect(stat.dataLength == 9)
        #expect(stat.numChildren == 10)
        #expect(stat.pzxid == 11)
    }

    @Test func isEphemeralFollowsTheOwner() {
        #expect(Fixtures.statA.isEphemeral)
        #expect(!Fixtures.statB.isEphemeral)
    }

    @Test func statResponsesCarryOneStat() {
        // ExistsResponse, SetDataResponse and SetACLResponse are each a bare Stat in Java jute.
        expectGolden(StatResponse(stat: Fixtures.statA), Fixtures.statAHex)
        expectGolden(StatResponse(stat: Fixtures.statB), Fixtures.statBHex)
    }

    @Test func truncatedStatThrows() {
        let bytes = hex(Fixtures.statAHex)
        for length in 0..<bytes.count {
            #expect(juteErrorKind { _ = try decode(Stat.self, Array(bytes[..<length])) } == .truncated)
        }
    }
}
