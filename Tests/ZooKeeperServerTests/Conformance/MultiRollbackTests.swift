import Testing
import ZooKeeper
import ZooKeeperTestSupport

/// A multi that fails leaves no trace, as on Apache ZooKeeper (which checks the whole multi
/// before touching its tree): not in stats, data or ephemerals, not in quota usage, and not in the
/// order a parent lists its children, which follows the capacity its Java `HashSet` reached (a
/// multi that created many children and failed must not leave the table grown) and each name's
/// place in its bucket (a child deleted and restored keeps its place).
@Suite(.timeLimit(.minutes(5))) struct MultiRollbackTests {
    @Test func aFailedMultiLeavesNoTrace() async throws {
        try await expectSameBehaviour { t in
            let (zk, _) = try await t.connect()
            let (owner, _) = try await t.connect()
            try await zk.create("/r", data: "0".utf8Bytes)
            try await zk.create("/zookeeper/quota/r")
            try await zk.create("/zookeeper/quota/r/zookeeper_limits", data: "count=-1,bytes=-1".utf8Bytes)
            try await zk.create("/zookeeper/quota/r/zookeeper_stats", data: "count=0,bytes=0".utf8Bytes)
            // Names that share buckets ("Aa" and "BB" hash alike), so places within a bucket show.
            for name in ["Aa", "BB", "c0", "c1", "c2"] { try await zk.create("/r/" + name, data: "d".utf8Bytes) }
            try await owner.create("/r/eph", mode: .ephemeral)

            let failing: [ZooKeeperClient.Operation] =
                (0..<40).map { .create("/r/x\($0)", data: "xx".utf8Bytes) } + [
                    .delete("/r/Aa"), .create("/r/Aa", data: "new".utf8Bytes), .delete("/r/c1"),
                    .setData("/r", data: "1".utf8Bytes), .create("/r/s-", mode: .persistentSequential),
                    .create("/zookeeper/quota/r/zookeeper_limits/x"), .check("/r", version: 7),
                ]
            await t.step("multi fails") {
                do {
                    try await zk.multi(failing)
                    return "no error"
                } catch let error as ZooKeeperError {
                    return "\(error.code): "
                        + (error.multiResults ?? []).suffix(3).map(t.render).joined(separator: "; ")
                }
            }
            await t.step("ephemeral deletion fails") {
                do {
                    try await owner.multi([
                        .delete("/r/eph"), .create("/r/e2", mode: .ephemeral), .check("/r", version: 9),
                    ])
                    return "no error"
                } catch let error as ZooKeeperError {
                    return "\(error.code)"
                }
            }
            await t.step("children") { try await zk.getChildren("/r").joined(separator: " ") }
            await t.step("stat and data") {
                let node = try await zk.getData("/r")
                return String(decoding: node.data, as: UTF8.self) + " " + t.render(node.stat)
            }
            await t.step("Aa") { t.render(try await zk.getData("/r/Aa").stat) }
            await t.step("quota usage") {
                String(decoding: try await zk.getData("/zookeeper/quota/r/zookeeper_stats").data, as: UTF8.self)
            }
            await t.step("ephemerals") { "\(try await owner.getEphemerals())" }
            // The table's capacity shows in the order of what comes next.
            for index in 0..<12 { try await zk.create("/r/y\(index)") }
            try await zk.create("/r/s-", mode: .persistentSequential)
            await t.step("children after more") { try await zk.getChildren("/r").joined(separator: " ") }
            await t.step("quota usage after more") {
                String(decoding: try await zk.getData("/zookeeper/quota/r/zookeeper_stats").data, as: UTF8.self)
            }
            try await owner.close()
            await t.step("children after the owner left") { try await zk.getChildren("/r").joined(separator: " ") }
            await t.step("the same multi, passing") {
                try await zk.multi(Array(failing.dropLast(2))).count.description
            }
            await t.step("children after it") { try await zk.getChildren("/r").joined(separator: " ") }
            await t.step("stat after it") { t.render(try await zk.exists("/r")!) }
        }
    }
}
