import NIOCore
import ZooKeeperProtocol

extension ZooKeeperClient {
    /// One operation of a transaction (`multi`) or of a batched read (`multiRead`).
    public struct Operation: Sendable {
        let build: @Sendable (ZooKeeperClient) throws(ZooKeeperError) -> MultiOperation
        let path: String

        /// Creates a node. Apache ZooKeeper 3.8 reports it as `.create(path:)`, without a stat.
        ///
        /// The data is bytes in any collection; the overloads take a `String` (as UTF-8) or a
        /// `ByteBuffer`.
        public static func create(
            _ path: String, data: some Collection<UInt8> = [UInt8](), acl: [ACL] = ACL.openUnsafe,
            mode: CreateMode = .persistent, ttl: Duration? = nil
        ) -> Operation {
            let data = Array(data)
            return Operation(
                build: { client throws(ZooKeeperError) in
                    try client.createOperation(path, data: data, acl: acl, mode: mode, ttl: ttl)
                }, path: path)
        }

        /// Creates a node whose data is `data` in UTF-8.
        public static func create(
            _ path: String, data: String, acl: [ACL] = ACL.openUnsafe, mode: CreateMode = .persistent,
            ttl: Duration? = nil
        ) -> Operation {
            create(path, data: data.utf8, acl: acl, mode: mode, ttl: ttl)
        }

        /// Creates a node whose data is the readable bytes of `data`.
        public static func create(
            _ path: String, data: ByteBuffer, acl: [ACL] = ACL.openUnsafe, mode: CreateMode = .persistent,
            ttl: Duration? = nil
        ) -> Operation {
            create(path, data: data.readableBytesView, acl: acl, mode: mode, ttl: ttl)
        }

        /// Deletes a node (-1: any version).
        public static func delete(_ path: String, version: Int32 = -1) -> Operation {
            Operation(
                build: { client throws(ZooKeeperError) in
                    .delete(DeleteRequest(path: try client.serverPath(path), version: version))
                }, path: path)
        }

        /// Replaces a node's data (-1: any version).
        ///
        /// The data is bytes in any collection; the overloads take a `String` (as UTF-8) or a
        /// `ByteBuffer`.
        public static func setData(_ path: String, data: some Collection<UInt8>, version: Int32 = -1) -> Operation {
            let data = Array(data)
            return Operation(
                build: { client throws(ZooKeeperError) in
                    .setData(SetDataRequest(path: try client.serverPath(path), data: data, version: version))
                }, path: path)
        }

        /// Replaces a node's data with `data` in UTF-8 (-1: any version).
        public static func setData(_ path: String, data: String, version: Int32 = -1) -> Operation {
            setData(path, data: data.utf8, version: version)
        }

        /// Replaces a node's data with the readable bytes of `data` (-1: any version).
        public static func setData(_ path: String, data: ByteBuffer, version: Int32 = -1) -> Operation {
            setData(path, data: data.readableBytesView, version: version)
        }

        /// Fails the transaction unless the node has this version.
        public static func check(_ path: String, version: Int32) -> Operation {
            Operation(
                build: { client throws(ZooKeeperError) in
                    .check(CheckVersionRequest(path: try client.serverPath(path), version: version))
                }, path: path)
        }

        /// Reads a node's data (multiRead only).
        public static func getData(_ path: String) -> Operation {
            Operation(
                build: { client throws(ZooKeeperError) in
                    .getData(GetDataRequest(path: try client.serverPath(path)))
                }, path: path)
        }

        /// Lists a node's children (multiRead only).
        public static func getChildren(_ path: String) -> Operation {
            Operation(
                build: { client throws(ZooKeeperError) in
                    .getChildren(GetChildrenRequest(path: try client.serverPath(path)))
                }, path: path)
        }
    }

    /// Applies write operations atomically: all succeed, or none does.
    ///
    /// - Returns: one result per operation (created paths relative to the chroot).
    /// - Throws: `ZooKeeperError` with the failing operation's code and path; its `multiResults`
    ///   hold every operation's result (`ok` before the failing one, `runtimeInconsistency` after).
    @discardableResult
    public func multi(_ operations: [Operation]) async throws -> [MultiResult] {
        let built = try operations.map { operation throws(ZooKeeperError) in try operation.build(self) }
        if let read = built.first(where: \.isRead) {
            throw ZooKeeperError(.badArguments, "\(read.opCode) belongs in multiRead", path: read.path)
        }
        let results = try await execute(MultiRequest(operations: built), path: nil).results.map(clientResult)
        for (index, result) in results.enumerated() {
            if let code = result.error, code != .ok, code != .runtimeInconsistency {
                throw ZooKeeperError(code, path: operations[index].path, multiResults: results)
            }
        }
        return results
    }

    /// Runs getData and getChildren operations in one round trip; each succeeds or fails on its
    /// own (3.7+). Failures are `.error` results, not thrown.
    public func multiRead(_ operations: [Operation]) async throws -> [MultiResult] {
        let built = try operations.map { operation throws(ZooKeeperError) in try operation.build(self) }
        if let write = built.first(where: { !$0.isRead }) {
            throw ZooKeeperError(.badArguments, "\(write.opCode) belongs in multi", path: write.path)
        }
        return try await execute(MultiReadRequest(operations: built), path: nil).results.map(clientResult)
    }

    private func clientResult(_ result: MultiResult) -> MultiResult {
        switch result {
        case .create(let path): .create(path: clientPath(path))
        case .create2(let path, let stat): .create2(path: clientPath(path), stat: stat)
        default: result
        }
    }
}
