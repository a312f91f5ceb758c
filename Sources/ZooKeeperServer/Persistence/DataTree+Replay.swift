import ZooKeeperProtocol

extension DataTree {
    /// Applies a logged transaction of `session` at `zxid`, as Apache ZooKeeper's
    /// `DataTree.processTxn` does when it replays its log over a snapshot. Replay tolerates what a
    /// fuzzy snapshot (taken while writes went on) already holds: a create of an existing node or
    /// a delete of a missing one changes nothing, and versions are set to what the log says
    /// rather than counted up.
    mutating func apply(_ transaction: LoggedTransaction, session: Int64, zxid: Int64, time: Int64) {
        switch transaction.body {
        case .createSession, .error, .check:
            break
        case .closeSession:
            for path in ephemeralPaths(of: session).reversed() { delete(path, zxid: zxid) }
        case .create(let path, let data, let acl, let ephemeral, let parentCVersion):
            replayCreate(
                path, data: data, acl: acl, mode: ephemeral ? .ephemeral : .persistent, owner: ephemeral ? session : 0,
                ttl: 0, parentCVersion: parentCVersion, zxid: zxid, time: time)
        case .createContainer(let path, let data, let acl, let parentCVersion):
            replayCreate(
                path, data: data, acl: acl, mode: .container, owner: 0, ttl: 0, parentCVersion: parentCVersion,
                zxid: zxid, time: time)
        case .createTTL(let path, let data, let acl, let parentCVersion, let ttl):
            replayCreate(
                path, data: data, acl: acl, mode: .persistentWithTTL, owner: 0, ttl: ttl,
                parentCVersion: parentCVersion,
                zxid: zxid, time: time)
        case .delete(let path):
            if let node = self[path], node.children.isEmpty, path != "/" { delete(path, zxid: zxid) }
        case .setData(let path, let data, let version):
            guard self[path] != nil else { return }
            setData(path, data: data, zxid: zxid, time: time)
            setCounters(path, version: version)
        case .setACL(let path, let acl, let version):
            guard self[path] != nil else { return }
            setACL(path, acl: acl)
            setCounters(path, aversion: version)
        case .multi(let operations):
            // A failed multi: Apache ZooKeeper logs the operations checked before the failing
            // one as they were, and applies none of them (`processTxn`).
            guard !operations.contains(where: { $0.type == .error }) else { return }
            for operation in operations { apply(operation, session: session, zxid: zxid, time: time) }
        }
    }

    private mutating func replayCreate(
        _ path: String, data: [UInt8]?, acl: [ACL], mode: CreateMode, owner: Int64, ttl: Int64, parentCVersion: Int32,
        zxid: Int64, time: Int64
    ) {
        let parent = NodePath.parent(of: path)
        guard let parentPlace = nodes.place(of: parent) else { return }
        let hash = ExactDictionary<DataNode>.hash(of: path)
        if nodes.place(of: path, hash: hash) == nil {
            create(
                path, data: data, acl: acl, mode: mode, owner: owner, ttl: ttl, zxid: zxid, time: time,
                parent: (parent, parentPlace), hash: hash)
        }
        // The parent's child count as the leader computed it (-1, in 3.3's format, for one
        // more); like `setCversionPzxid`, only ever raised.
        if parentCVersion > nodes.withValue(at: parentPlace, { $0.childrenCreated }) {
            setCounters(parent, childrenCreated: parentCVersion, pzxid: zxid)
        }
    }
}
