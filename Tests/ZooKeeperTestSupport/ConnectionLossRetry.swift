import ZooKeeper

/// Runs `body` again, 50 ms later, each time it fails with connection loss (the connection went
/// down with the request in flight, or a follower dropped its clients during an election). Only
/// for requests that may safely happen twice: reads, syncs, watches.
public func retryingConnectionLoss<T>(_ body: () async throws -> T) async throws -> T {
    while true {
        do {
            return try await body()
        } catch let error as ZooKeeperError where error.code == .connectionLoss {
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// Creates `path`, retrying after connection loss: a create whose reply was lost may have been
/// applied, so NodeExists on a retry means it was. Returns once the create is acknowledged, and
/// whether that took a retry.
@discardableResult
public func createAcknowledged(
    _ zk: ZooKeeperClient, _ path: String, data: [UInt8] = [], mode: CreateMode = .persistent
) async throws -> Bool {
    var retried = false
    while true {
        do {
            try await zk.create(path, data: data, mode: mode)
            return retried
        } catch let error as ZooKeeperError where error.code == .connectionLoss {
            retried = true
            try await Task.sleep(for: .milliseconds(50))
        } catch let error as ZooKeeperError where error.code == .nodeExists && retried {
            return retried
        }
    }
}
