import NIOCore
import ZooKeeperProtocol

extension SnapshotFile {
    /// The uncompressed bytes of a snapshot of a tree (in Apache ZooKeeper's order, parents
    /// first) and of sessions, as ``encoded()`` writes them, in two parts: what comes before the
    /// nodes, then the nodes and the seal. One walk of the tree, each node encoded where it lies:
    /// no list of the nodes in between (at a million nodes, a tenth of a gigabyte).
    static func encoded(tree: DataTree, sessions: [(id: Int64, timeout: Int32)]) -> [ByteBuffer] {
        var numbering = ACLNumbering()
        var nodes = ByteBuffer()
        tree.visitInPreorder { path, node in
            encodeNode(path, node.data, numbering.key(of: node.acl), PersistedStat(node), into: &nodes)
        }
        nodes.writeJuteString("/")
        var head = ByteBuffer()
        encodeHead(
            DataFileHeader(magic: DataFileHeader.snapshotMagic), sessions: sessions, aclCache: numbering.cache,
            into: &head)
        seal(&nodes, after: head)
        return [head, nodes]
    }
}

extension PersistedStat {
    /// A node's stat as Apache ZooKeeper stores it: `cversion` counts creations, containers and
    /// TTL nodes are told by their `ephemeralOwner`.
    init(_ node: DataNode) {
        self.init(
            czxid: node.czxid, mzxid: node.mzxid, ctime: node.ctime, mtime: node.mtime, version: node.version,
            cversion: node.childrenCreated, aversion: node.aversion, ephemeralOwner: node.owner, pzxid: node.pzxid)
    }
}

extension DataNode {
    /// A snapshot's node (its children are the tree's to add). Each field is set once: set
    /// after `init(data:acl:zxid:time:owner:)`, the node was copied whole, a tenth of a
    /// restart's time at a million nodes.
    init(_ stat: PersistedStat, data: [UInt8]?, acl: [ACL]) {
        self.data = data
        self.acl = acl
        czxid = stat.czxid
        mzxid = stat.mzxid
        ctime = stat.ctime
        mtime = stat.mtime
        pzxid = stat.pzxid
        owner = stat.ephemeralOwner
        version = stat.version
        childrenCreated = stat.cversion
        aversion = stat.aversion
    }
}
