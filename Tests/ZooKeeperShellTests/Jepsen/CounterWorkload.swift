import Foundation
import ZooKeeper
import ZooKeeperRecipes

/// A `SharedCounter` incremented concurrently: each acknowledged increment returned a value no
/// other one did, and the final value counts every acknowledged increment and at most every
/// unknown one besides.
final class CounterWorkload: @unchecked Sendable {
    static let path = "/jepsen/counter"
    private let lock = NSLock()
    private var returned: [Int64] = []
    private var unknown = 0

    func run(client: ZooKeeperClient, control: RunControl) async {
        let counter = SharedCounter(client: client, path: Self.path)
        while !control.isStopped {
            do {
                let value = try await counter.add(1)
                lock.withLock { returned.append(value) }
            } catch {
                lock.withLock { unknown += 1 }
                await backOff()
            }
        }
    }

    func anomalies(_ client: ZooKeeperClient) async throws -> [String] {
        try await client.sync(Self.path)
        let final = try await SharedCounter(client: client, path: Self.path).value()
        let (returned, unknown) = lock.withLock { (self.returned, self.unknown) }
        var found: [String] = []
        if Set(returned).count != returned.count { found.append("counter: one value returned by two increments") }
        if Int(final) < returned.count || Int(final) > returned.count + unknown {
            found.append("counter at \(final) after \(returned.count) acknowledged and \(unknown) unknown increments")
        }
        if let highest = returned.max(), highest > final {
            found.append("counter returned \(highest) > final \(final)")
        }
        return found
    }

    func summary() -> String {
        lock.withLock { "counter: \(returned.count) increments acknowledged, \(unknown) unknown" }
    }
}
