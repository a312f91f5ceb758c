/// Session passwords as Apache ZooKeeper makes them (`ZooKeeperServer.generatePasswd`): sixteen
/// bytes of `java.util.Random` seeded with the session id and a fixed secret. Snapshots and logs
/// keep no passwords, so a server that recovers a session, ours or Apache ZooKeeper's from the
/// other's data directory, must be able to derive it to let the session's client back in.
enum SessionPassword {
    private static let secret: Int64 = 0xB341_5C00

    static func derive(_ session: Int64) -> [UInt8] {
        // java.util.Random: a 48-bit linear congruential generator; nextBytes takes an int at a
        // time, low byte first.
        let mask: UInt64 = (1 << 48) - 1
        var seed = (UInt64(bitPattern: session ^ secret) ^ 0x5_DEEC_E66D) & mask
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for _ in 0..<4 {
            seed = (seed &* 0x5_DEEC_E66D &+ 0xB) & mask
            var value = UInt32(truncatingIfNeeded: seed >> 16)
            for _ in 0..<4 {
                bytes.append(UInt8(truncatingIfNeeded: value))
                value >>= 8
            }
        }
        return bytes
    }
}
