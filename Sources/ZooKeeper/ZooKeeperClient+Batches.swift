import NIOCore
import ZooKeeperProtocol

/// Batches: many requests of one kind sent back to back, their replies awaited together.
///
/// One call sends every request of the batch at once and resumes the caller once, when the last
/// reply is in: the round trips overlap as with many concurrent calls, without a task (and a
/// task switch) per request, so a batch costs the client less CPU per request than the same
/// requests sent one call each. Unlike `multi`, nothing is atomic: each request succeeds or
/// fails on its own, and its failure (a `ZooKeeperError` naming its path, `connectionLoss` when
/// the connection drops before its reply) is its result, not a throw. The results come in the
/// order of the input. Cancelling the calling task abandons the replies not yet in and throws
/// `CancellationError`; requests already sent may still take effect.
///
/// ```swift
/// let results = try await zk.getData(["/config/a", "/config/b"])
/// for case .success(let node) in results { print(node.data.count) }
/// ```
extension ZooKeeperClient {
    /// Creates nodes (all with the same mode and ACL); each result is the created path (with the
    /// sequence suffix for sequential modes) and stat.
    ///
    /// A batch call: one request per node, sent back to back, each result that request's own
    /// outcome, in input order (not atomic).
    public func create(
        _ nodes: [(path: String, data: [UInt8])], acl: [ACL] = ACL.openUnsafe, mode: CreateMode = .persistent,
        ttl: Duration? = nil
    ) async throws -> [Result<CreatedNode, ZooKeeperError>] {
        let operations = nodes.map { node in
            Result { () throws(ZooKeeperError) in
                try createOperation(node.path, data: node.data, acl: acl, mode: mode, ttl: ttl)
            }
        }
        let paths = nodes.map(\.path)
        let responses: [Result<Create2Response, ZooKeeperError>]
        if mode.isTTL {
            responses = try await executeBatch(operations.map { $0.map(\.ttlRequest!) }, paths: paths)
        } else if mode.isContainer {
            responses = try await executeBatch(operations.map { $0.map(\.containerRequest!) }, paths: paths)
        } else {
            responses = try await executeBatch(operations.map { $0.map(\.create2Request!) }, paths: paths)
        }
        return responses.map { result in result.map { CreatedNode(path: clientPath($0.path), stat: $0.stat) } }
    }

    /// Deletes nodes; `version` -1 matches any version.
    ///
    /// A batch call: one request per node, sent back to back, each result that request's own
    /// outcome, in input order (not atomic).
    public func delete(_ paths: [String], version: Int32 = -1) async throws -> [Result<Void, ZooKeeperError>] {
        try await executeBatch(
            paths.map { path in
                Result { () throws(ZooKeeperError) in DeleteRequest(path: try serverPath(path), version: version) }
            }, paths: paths
        ).map { $0.map { _ in () } }
    }

    /// Each node's stat, or nil when it does not exist.
    ///
    /// A batch call: one request per node, sent back to back, each result that request's own
    /// outcome, in input order (not atomic).
    public func exists(_ paths: [String]) async throws -> [Result<Stat?, ZooKeeperError>] {
        try await executeBatch(
            paths.map { path in Result { () throws(ZooKeeperError) in ExistsRequest(path: try serverPath(path)) } },
            paths: paths
        ).map { result in
            switch result {
            case .success(let response): .success(response.stat)
            case .failure(let error) where error.code == .noNode: .success(nil)
            case .failure(let error): .failure(error)
            }
        }
    }

    /// Each node's data (empty when stored as null) and stat.
    ///
    /// A batch call: one request per node, sent back to back, each result that request's own
    /// outcome, in input order (not atomic).
    public func getData(_ paths: [String]) async throws -> [Result<NodeData, ZooKeeperError>] {
        try await executeBatch(
            paths.map { path in Result { () throws(ZooKeeperError) in GetDataRequest(path: try serverPath(path)) } },
            paths: paths
        ).map { $0.map { NodeData(data: $0.data ?? [], stat: $0.stat) } }
    }

    /// Replaces each node's data, whatever its version; each result is the node's new stat.
    ///
    /// A batch call: one request per node, sent back to back, each result that request's own
    /// outcome, in input order (not atomic).
    public func setData(_ updates: [(path: String, data: [UInt8])]) async throws -> [Result<Stat, ZooKeeperError>] {
        try await executeBatch(
            updates.map { update in
                Result { () throws(ZooKeeperError) in
                    SetDataRequest(path: try serverPath(update.path), data: update.data, version: -1)
                }
            }, paths: updates.map(\.path)
        ).map { $0.map(\.stat) }
    }

    /// The names of each node's children, in the server's order (unsorted).
    ///
    /// A batch call: one request per node, sent back to back, each result that request's own
    /// outcome, in input order (not atomic).
    public func getChildren(_ paths: [String]) async throws -> [Result<[String], ZooKeeperError>] {
        try await executeBatch(
            paths.map { path in
                Result { () throws(ZooKeeperError) in GetChildrenRequest(path: try serverPath(path)) }
            }, paths: paths
        ).map { $0.map(\.children) }
    }

    /// Sends every request that could be built, back to back, and returns each one's response or
    /// error, in order; `paths` (the caller's) name the failures. Measured and traced as one
    /// batch when the client has instruments (see `ClientInstruments`).
    func executeBatch<Request: ZooKeeperRequest>(
        _ requests: [Result<Request, ZooKeeperError>], paths: [String]
    ) async throws -> [Result<Request.Response, ZooKeeperError>] {
        guard let instruments = core.instruments else { return try await sendBatch(requests, paths: paths) }
        return try await instruments.measureBatch(Request.opCode, count: requests.count) {
            try await sendBatch(requests, paths: paths)
        }
    }

    private func sendBatch<Request: ZooKeeperRequest>(
        _ requests: [Result<Request, ZooKeeperError>], paths: [String]
    ) async throws -> [Result<Request.Response, ZooKeeperError>] {
        var results = [Result<Request.Response, ZooKeeperError>?](repeating: nil, count: requests.count)
        // The frames to send, each with the index of its request.
        var frames: [(index: Int, frame: ByteBuffer)] = []
        frames.reserveCapacity(requests.count)
        for (index, request) in requests.enumerated() {
            do throws(ZooKeeperError) {
                frames.append((index, try requestFrame(try request.get(), path: paths[index])))
            } catch {
                results[index] = .failure(error)
            }
        }
        if !frames.isEmpty {
            let timeout = core.configuration.requestTimeout.map { TimeAmount.milliseconds($0.milliseconds) }
            let ids = frames.map { _ in core.nextRequestID() }
            let replies = await withTaskCancellationHandler {
                await withUnsafeContinuation { continuation in
                    let batch = ReplyBatch(count: frames.count, continuation)
                    // Cancelled already: `onCancel` has run, before there was anything to cancel.
                    if Task.isCancelled {
                        for position in frames.indices { batch.finish(position, with: .failure(CancellationError())) }
                        return
                    }
                    for (position, (_, frame)) in frames.enumerated() {
                        core.submit(
                            id: ids[position], frame: frame, opCode: Request.opCode, watch: nil, timeout: timeout,
                            waiter: ReplyWaiter(batch: batch, index: position))
                    }
                }
            } onCancel: {
                for id in ids { core.cancel(id: id) }
            }
            for (position, reply) in replies.enumerated() {
                let index = frames[position].index
                switch reply! {
                case .success(let reply):
                    results[index] = Self.response(to: Request.self, from: reply, path: paths[index])
                case .failure(var error as ZooKeeperError):
                    error.path = error.path ?? paths[index]
                    results[index] = .failure(error)
                case .failure(let error):
                    throw error
                }
            }
        }
        return results.map { $0! }
    }
}

extension MultiOperation {
    fileprivate var create2Request: Create2Request? {
        if case .create2(let request) = self { return request }
        return nil
    }

    fileprivate var containerRequest: CreateContainerRequest? {
        if case .createContainer(let request) = self { return request }
        return nil
    }

    fileprivate var ttlRequest: CreateTTLRequest? {
        if case .createTTL(let request) = self { return request }
        return nil
    }
}
