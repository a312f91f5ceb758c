import Testing
import ZooKeeper
import ZooKeeperRecipes
import ZooKeeperTestSupport

@Suite(.timeLimit(.minutes(3))) struct PriorityQueueTests {
    @Test(arguments: Target.allCases)
    func itemsAreTakenByPriorityThenArrival(_ target: Target) async throws {
        try await target.run { connect, root in
            let producer = DistributedPriorityQueue(client: try await connect(), path: root + "/pq")
            let consumer = DistributedPriorityQueue(client: try await connect(), path: root + "/pq")
            #expect(try await consumer.poll() == nil)
            // take waits for an item that arrives later.
            let waiting = Task { try await consumer.take() }
            try await eventually { try await producer.client.exists(root + "/pq") != nil }
            try await producer.put("first".bytes, priority: 7)
            #expect(try await waiting.value == "first".bytes)
            let items: [(String, Int32)] = [
                ("low-1", 5), ("high", -3), ("low-2", 5), ("normal", 0), ("last", .max), ("first", .min), ("low-3", 5),
            ]
            for (item, priority) in items { try await producer.put(item.bytes, priority: priority) }
            #expect(try await consumer.count() == items.count)
            #expect(try await consumer.peek() == "first".bytes)
            var taken: [String] = []
            while let item = try await consumer.poll() { taken.append(String(decoding: item, as: UTF8.self)) }
            #expect(taken == ["first", "high", "normal", "low-1", "low-2", "low-3", "last"])
        }
    }
}
