import ZooKeeper

/// The sessions and znodes of one `zk bench` run, and the ways it drives them: pipelined
/// (throughput; one call per request, or batch calls) and one request at a time (latency).
struct BenchLoad: Sendable {
    /// The sessions the load is spread over.
    let clients: [ZooKeeperClient]
    /// The session that sets the watches, so that notifications go from one session to another.
    let watcher: ZooKeeperClient
    let paths: [String]
    let data: [UInt8]
    /// Requests in flight per session.
    let window: Int
    /// Requests per batch call, or nil for one call per request.
    let batch: Int?

    /// Runs one operation on every node and times it.
    func run(_ operation: BenchOperation, latency: Bool, watches: inout [ZooKeeperWatch]) async throws -> BenchResult {
        switch operation {
        case .watch:
            var armed: [ZooKeeperWatch] = []
            let result = try await BenchResult.measure(.watch, count: paths.count) {
                if latency {
                    return try await oneAtATime(on: watcher) { client, path in
                        armed.append(try await client.watchData(path).watch)
                    }
                }
                armed = try await pipelined(over: [watcher]) { client, path in try await client.watchData(path).watch }
                return nil
            }
            watches = armed
            return result
        case .notify:
            return try await BenchResult.measure(.notify, count: paths.count) { [watches] in
                try await notify(watches, latency: latency)
            }
        default:
            return try await BenchResult.measure(operation, count: paths.count) {
                if latency { return try await oneAtATime(on: clients[0], request(for: operation)) }
                if let batch {
                    // `zk bench` keeps --batch within --window: at least one call in flight.
                    _ = try await Self.pipelined(
                        paths.slices(of: batch).map(Array.init), over: clients, window: window / batch,
                        batchRequest(for: operation))
                } else {
                    _ = try await pipelined(over: clients, request(for: operation))
                }
                return nil
            }
        }
    }

    /// The request of an operation on one node.
    private func request(for operation: BenchOperation) -> @Sendable (ZooKeeperClient, String) async throws -> Void {
        let data = data
        switch operation {
        case .create: return { client, path in try await client.create(path, data: data) }
        case .set, .notify: return { client, path in _ = try await client.setData(path, data: data) }
        case .get: return { client, path in _ = try await client.getData(path) }
        case .exists: return { client, path in _ = try await client.exists(path) }
        case .children: return { client, path in _ = try await client.getChildren(path) }
        case .delete: return { client, path in try await client.delete(path) }
        case .watch: preconditionFailure("run(_:latency:watches:) keeps the watches it sets")
        }
    }

    /// The batch call of an operation on some nodes; it throws the first failure among them, as
    /// the calls of `request(for:)` do.
    private func batchRequest(for operation: BenchOperation)
        -> @Sendable (ZooKeeperClient, [String]) async throws -> Void
    {
        let data = data
        switch operation {
        case .create: return { client, paths in try Self.check(await client.create(paths.map { ($0, data) })) }
        case .set, .notify: return { client, paths in try Self.check(await client.setData(paths.map { ($0, data) })) }
        case .get: return { client, paths in try Self.check(await client.getData(paths)) }
        case .exists: return { client, paths in try Self.check(await client.exists(paths)) }
        case .children: return { client, paths in try Self.check(await client.getChildren(paths)) }
        case .delete: return { client, paths in try Self.check(await client.delete(paths)) }
        case .watch: preconditionFailure("run(_:latency:watches:) keeps the watches it sets")
        }
    }

    /// Throws the first failure of a batch call.
    private static func check<Value>(_ results: [Result<Value, ZooKeeperError>]) throws {
        for case .failure(let error) in results { throw error }
    }

    /// Sets every node while the watcher waits for each node's event. In latency mode, one node
    /// at a time, timing each from the set request to the event; returns those times.
    private func notify(_ watches: [ZooKeeperWatch], latency: Bool) async throws -> [Double]? {
        let set = request(for: .set)
        guard latency else {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for watch in watches { _ = try await watch.event() }
                }
                _ = try await pipelined(over: clients, set)
                try await group.waitForAll()
            }
            return nil
        }
        var samples: [Double] = []
        samples.reserveCapacity(paths.count)
        for (path, watch) in zip(paths, watches) {
            let start = ContinuousClock.now
            async let written: Void = set(clients[0], path)
            _ = try await watch.event()
            samples.append((ContinuousClock.now - start).seconds)
            try await written
        }
        return samples
    }

    /// Calls `body` once per node, one call at a time; returns each call's duration in seconds.
    private func oneAtATime(
        on client: ZooKeeperClient, _ body: (ZooKeeperClient, String) async throws -> Void
    ) async throws -> [Double] {
        var samples: [Double] = []
        samples.reserveCapacity(paths.count)
        for path in paths {
            let start = ContinuousClock.now
            try await body(client, path)
            samples.append((ContinuousClock.now - start).seconds)
        }
        return samples
    }

    /// Calls `body` once per node with `window` calls in flight on each of `sessions`; returns
    /// the results in node order.
    private func pipelined<Value: Sendable>(
        over sessions: [ZooKeeperClient], _ body: @escaping @Sendable (ZooKeeperClient, String) async throws -> Value
    ) async throws -> [Value] {
        try await Self.pipelined(paths, over: sessions, window: window, body)
    }

    /// Calls `body` once per item with `window` calls in flight on each of `sessions`; returns
    /// the results in item order.
    private static func pipelined<Item: Sendable, Value: Sendable>(
        _ items: [Item], over sessions: [ZooKeeperClient], window: Int,
        _ body: @escaping @Sendable (ZooKeeperClient, Item) async throws -> Value
    ) async throws -> [Value] {
        let workers = min(sessions.count * window, items.count)
        return try await withThrowingTaskGroup(of: [(Int, Value)].self) { group in
            for worker in 0..<workers {
                let client = sessions[worker % sessions.count]
                group.addTask(executorPreference: client.taskExecutor) {
                    var results: [(Int, Value)] = []
                    for index in stride(from: worker, to: items.count, by: workers) {
                        results.append((index, try await body(client, items[index])))
                    }
                    return results
                }
            }
            var ordered = [Value?](repeating: nil, count: items.count)
            for try await results in group {
                for (index, result) in results { ordered[index] = result }
            }
            return ordered.map { $0! }
        }
    }
}
