import ZooKeeperProtocol

// The log records of writes, in Apache ZooKeeper's terms: creates carry the parent's new child
// count, failed multis an error for each operation.
extension ServerDatabase {
    /// Records a create that succeeded, as `CreateTxn`, `CreateContainerTxn` or `CreateTTLTxn`.
    mutating func recordCreate(
        _ path: String, _ request: CreateTTLRequest, acl: [ACL], mode: CreateMode, opCode: OpCode, zxid: Int64
    ) {
        guard journaling else { return }
        let data = request.fields.data
        let parentCVersion = tree[NodePath.parent(of: path)]?.childrenCreated ?? -1
        if mode.isContainer {
            record(
                zxid, .createContainer,
                .createContainer(path: path, data: data, acl: acl, parentCVersion: parentCVersion))
        } else if mode.isTTL {
            record(
                zxid, .createTTL,
                .createTTL(path: path, data: data, acl: acl, parentCVersion: parentCVersion, ttl: request.ttl))
        } else {
            record(
                zxid, opCode == .create2 ? .create2 : .create,
                .create(path: path, data: data, acl: acl, ephemeral: mode.isEphemeral, parentCVersion: parentCVersion))
        }
    }

    /// Records a multi that failed: an error for each operation, with the result it got.
    mutating func recordFailedMulti(_ results: [MultiResult], zxid: Int64) {
        record(
            zxid, .multi,
            .multi(results.map { LoggedTransaction(type: .error, body: .error($0.error ?? .ok)) }))
    }
}
