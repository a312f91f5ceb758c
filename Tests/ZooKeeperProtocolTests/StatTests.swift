import NIOCore
import Testing
import ZooKeeperProtocol

@Suite struct StatTests {
    @Test func statIs68BytesAndRoundTrips() throws {
        let stat = Stat(
            czxid: 1, mzxid: 2, ctime: 3, mtime: 4, version: 5, cversion: 6, aversion: 7,
            ephemeralOwner: 8, dataLength: 9, numChildren: 10, pzxid: 11)
        let buffer = stat.juteEncoded()
        #expect(buffer.readableBytes == 68)
        #expect(try Stat(decodingAll: buffer) == stat)
    }
}
