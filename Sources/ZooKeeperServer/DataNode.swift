import ZooKeeperProtocol

/// One node of the tree, with the fields ZooKeeper keeps (`DataNode` and `StatPersisted`).
///
/// The fields are declared widest first, so that none is padded, and what most nodes would
/// leave empty (a time-to-live, an owning session) shares one field: a million nodes are a
/// million of these.
struct DataNode: Sendable {
    /// A node's children: their places among the tree's nodes, in Java's order of their names.
    typealias Children = JavaHashOrder<UInt32>

    /// Where the node's data lies among the tree's (``DataTree/data(at:)`` reads it).
    var dataReference = NodeDataPages.Reference.none
    /// Shared with every node of the same ACL (``DataTree`` interns the lists).
    var acl: [ACL]
    var czxid: Int64
    var mzxid: Int64
    var ctime: Int64
    var mtime: Int64
    var pzxid: Int64
    /// The owner as Apache ZooKeeper persists it (`ephemeralOwner`): the session of an
    /// ephemeral node, a mark with the time-to-live for a TTL node, another for a container,
    /// else 0. One field for the mode, the owning session and the time-to-live.
    var owner: Int64
    /// The children, by their places among the tree's nodes, listed in Apache ZooKeeper's order
    /// of their names.
    var children = Children()
    /// Where this node stands among its parent's ``children`` (their index, not their order).
    var indexInParent: Int32 = 0
    var version: Int32 = 0
    /// The number of children ever created: the next sequence number. The visible cversion,
    /// which also counts deletions, is derived from it.
    var childrenCreated: Int32 = 0
    var aversion: Int32 = 0

    /// A new node, its data not yet stored; `owner` is as ``owner`` says.
    init(acl: [ACL], zxid: Int64, time: Int64, owner: Int64 = 0) {
        self.acl = acl
        czxid = zxid
        mzxid = zxid
        ctime = time
        mtime = time
        pzxid = zxid
        self.owner = owner
    }

    /// The owning session of an ephemeral node, else 0 (as clients see it).
    var ephemeralOwner: Int64 { PersistedStat.session(ofOwner: owner) ?? 0 }

    /// The mode, as far as the owner tells: not whether the node was sequential.
    var mode: CreateMode { PersistedStat.mode(ofOwner: owner) }

    /// The time-to-live in milliseconds of a TTL node, else 0.
    var ttl: Int64 { PersistedStat.ttl(ofOwner: owner) ?? 0 }

    /// The stat as clients see it: cversion rises with each child creation and deletion.
    var stat: Stat {
        Stat(
            czxid: czxid, mzxid: mzxid, ctime: ctime, mtime: mtime, version: version,
            cversion: childrenCreated &* 2 &- Int32(children.count), aversion: aversion,
            ephemeralOwner: ephemeralOwner, dataLength: Int32(dataReference.count),
            numChildren: Int32(children.count), pzxid: pzxid)
    }
}
