import Foundation
import ZooKeeper

/// Unique ids from sequential nodes: every acknowledged create names a node no other create got,
/// and the node is still there at the end.
final class UniqueIdWorkload: @unchecked Sendable {
    static let path = "/jepsen/ids"
    private let lock = NSLock()
    private var acknowledged: [String] = []
    private var unknown = 0

    func prepare(_ client: ZooKeeperClient) async throws { try await client.ensurePath(Self.path) }

    func run(worker: Int, client: ZooKeeperClient, control: RunControl) async {
        while !control.isStopped {
            do {
                let created = try await client.create(
                    Self.path + "/id-", data: "\(worker)", mode: .persistentSequential)
                lock.withLock { acknowledged.append(created.path) }
            } catch {
                lock.withLock { unknown += 1 }
                await backOff()
            }
        }
    }

    /// Ids given twice, acknowledged ids gone, and more nodes than creates could have made.
    func anomalies(_ client: ZooKeeperClient) async throws -> [String] {
        try await client.sync(Self.path)
        let present = Set(try await client.getChildren(Self.path).map { Self.path + "/" + $0 })
        let (acknowledged, unknown) = lock.withLock { (self.acknowledged, self.unknown) }
        var found: [String] = []
        let duplicated = Dictionary(grouping: acknowledged, by: { $0 }).filter { $0.value.count > 1 }.keys
        if !duplicated.isEmpty { found.append("ids given twice: \(duplicated.sorted())") }
        let lost = acknowledged.filter { !present.contains($0) }
        if !lost.isEmpty { found.append("acknowledged ids lost: \(lost)") }
        if present.count > acknowledged.count + unknown {
            found.append(
                "\(present.count) id nodes from \(acknowledged.count) acknowledged and \(unknown) failed creates")
        }
        return found
    }

    func summary() -> String {
        lock.withLock { "ids: \(acknowledged.count) acknowledged, \(unknown) failed or unknown" }
    }
}
