import ZooKeeperProtocol

/// One node of the tree, with the fields ZooKeeper keeps (`DataNode` and `StatPersisted`).
///
/// The fields are declared widest first, so that none is padded: a million nodes are a million
/// of these.
struct DataNode: Sendable {
    var data: [UInt8]?
    /// Shared with every node of the same ACL (``DataTree`` interns the lists).
    var acl: [ACL]
    var czxid: Int64
    var mzxid: Int64
    var ctime: Int64
    var mtime: Int64
    var pzxid: Int64
    /// The owning session for ephemeral nodes, else 0.
    var ephemeralOwner: Int64 = 0
    /// Time-to-live in milliseconds for TTL nodes.
    var ttl: Int64 = 0
    /// The children's names, listed in Apache ZooKeeper's order.
    var children = JavaHashSet()
    var version: Int32 = 0
    /// The number of children ever created: the next sequence number. The visible cversion,
    /// which also counts deletions, is derived from it.
    var childrenCreated: Int32 = 0
    var aversion: Int32 = 0
    var mode: CreateMode

    init(data: [UInt8]?, acl: [ACL], zxid: Int64, time: Int64, mode: CreateMode) {
        self.data = data
        self.acl = acl
        czxid = zxid
        mzxid = zxid
        ctime = time
        mtime = time
        pzxid = zxid
        self.mode = mode
    }

    /// The stat as clients see it: cversion rises with each child creation and deletion.
    var stat: Stat {
        Stat(
            czxid: czxid, mzxid: mzxid, ctime: ctime, mtime: mtime, version: version,
            cversion: childrenCreated &* 2 &- Int32(children.count), aversion: aversion,
            ephemeralOwner: ephemeralOwner, dataLength: Int32(data?.count ?? 0),
            numChildren: Int32(children.count), pzxid: pzxid)
    }
}
