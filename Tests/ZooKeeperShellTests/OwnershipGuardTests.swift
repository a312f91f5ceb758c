import Testing

@testable import ZooKeeperShell

/// The deadlines zk sends its ownership guard: 16 bytes a pair, the last whole pair counting.
@Suite struct OwnershipGuardTests {
    typealias Deadlines = OwnershipGuard.Deadlines

    @Test func aPairIsSixteenBigEndianBytes() {
        let deadlines = Deadlines(terminate: 0x0102_0304_0506_0708, kill: 0x1112_1314_1516_1718)
        #expect(
            deadlines.bytes == [
                0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
            ])
        #expect(Deadlines(last: deadlines.bytes) == deadlines)
    }

    @Test func theLastWholePairCounts() {
        let first = Deadlines(terminate: 5, kill: 9)
        let second = Deadlines(terminate: 7, kill: Int64.max)
        #expect(Deadlines(last: first.bytes + second.bytes) == second)
        // A pair still arriving does not count yet.
        #expect(Deadlines(last: first.bytes + second.bytes.prefix(10)) == first)
        #expect(Deadlines(last: Array(first.bytes.prefix(15))) == nil)
    }

    @Test func aStopNeverPostponesADeadline() {
        let current = Deadlines(terminate: 100, kill: 200)
        #expect(current.earliest(Deadlines(terminate: 50, kill: 300)) == Deadlines(terminate: 50, kill: 200))
        #expect(current.earliest(.never) == current)
    }
}
