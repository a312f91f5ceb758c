import Foundation
import ZooKeeper
import ZooKeeperRecipes

/// A `DistributedQueue` with producers and consumers: no item is taken twice, none appears that
/// was not put, and every acknowledged item is taken or still queued at the end, except at most
/// one per take whose delete's outcome is unknown (the item may be gone with nobody having it).
final class QueueWorkload: @unchecked Sendable {
    static let path = "/jepsen/queue"
    private let lock = NSLock()
    private var acknowledged: Set<String> = []
    private var attempted: Set<String> = []
    private var taken: [String] = []
    private var unknownTakes = 0

    func produce(client: ZooKeeperClient, control: RunControl) async {
        let queue = DistributedQueue(client: client, path: Self.path)
        while !control.isStopped {
            // A short queue: every take lists the queue's children.
            if lock.withLock({ attempted.count - taken.count }) > 100 {
                try? await Task.sleep(for: .milliseconds(20))
                continue
            }
            let item = "item-\(control.unique())"
            lock.withLock { _ = attempted.insert(item) }
            do {
                _ = try await queue.put(item)
                lock.withLock { _ = acknowledged.insert(item) }
            } catch {
                await backOff()
            }
        }
    }

    func consume(client: ZooKeeperClient, control: RunControl) async {
        let queue = DistributedQueue(client: client, path: Self.path)
        while !control.isStopped {
            do {
                if let item = try await queue.poll() {
                    lock.withLock { taken.append(String(decoding: item, as: UTF8.self)) }
                } else {
                    try await Task.sleep(for: .milliseconds(20))
                }
            } catch {
                lock.withLock { unknownTakes += 1 }
                await backOff()
            }
        }
    }

    func anomalies(_ client: ZooKeeperClient) async throws -> [String] {
        let queue = DistributedQueue(client: client, path: Self.path)
        try await client.sync(Self.path)
        var drained: [String] = []
        while let item = try await queue.poll() { drained.append(String(decoding: item, as: UTF8.self)) }
        let (acknowledged, attempted, taken, unknownTakes) = lock.withLock {
            (self.acknowledged, self.attempted, self.taken, self.unknownTakes)
        }
        let everything = taken + drained
        var found: [String] = []
        let twice = Dictionary(grouping: everything, by: { $0 }).filter { $0.value.count > 1 }.keys
        if !twice.isEmpty { found.append("queue items taken twice: \(twice.sorted())") }
        let unknownItems = Set(everything).subtracting(attempted)
        if !unknownItems.isEmpty { found.append("queue items never put: \(unknownItems.sorted())") }
        let lost = acknowledged.subtracting(everything)
        if lost.count > unknownTakes {
            found.append(
                "queue lost \(lost.count) acknowledged items with \(unknownTakes) unknown takes: \(lost.sorted())")
        }
        return found
    }

    func summary() -> String {
        lock.withLock {
            "queue: \(acknowledged.count) puts acknowledged (\(attempted.count) tried), \(taken.count) items taken, "
                + "\(unknownTakes) takes failed or unknown"
        }
    }
}
