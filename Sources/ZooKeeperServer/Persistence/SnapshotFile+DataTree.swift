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

    /// The tree the snapshot holds.
    var dataTree: DataTree {
        DataTree(restoring: nodes, parents: parents.count == nodes.count ? parents : ParentsFirst.places(of: nodes))
    }
}

extension PersistedStat {
    /// A node's stat as Apache ZooKeeper stores it: `cversion` counts creations, containers and
    /// TTL nodes are told by their `ephemeralOwner`.
    init(_ node: DataNode) {
        let owner =
            node.mode.isContainer
            ? Self.containerOwner : node.mode.isTTL ? Self.ttlOwner(node.ttl) : node.ephemeralOwner
        self.init(
            czxid: node.czxid, mzxid: node.mzxid, ctime: node.ctime, mtime: node.mtime, version: node.version,
            cversion: node.childrenCreated, aversion: node.aversion, ephemeralOwner: owner, pzxid: node.pzxid)
    }
}

extension PersistedStat {
    /// The mode of the node, as far as its stat tells: not whether it was sequential.
    var mode: CreateMode {
        isContainer ? .container : ttl != nil ? .persistentWithTTL : ephemeralSession != nil ? .ephemeral : .persistent
    }
}

extension DataNode {
    /// A snapshot's node (its children are the tree's to add).
    init(_ node: SnapshotNode) {
        let stat = node.stat
        self.init(data: node.data, acl: node.acl, zxid: stat.czxid, time: stat.ctime, mode: stat.mode)
        mzxid = stat.mzxid
        mtime = stat.mtime
        version = stat.version
        childrenCreated = stat.cversion
        aversion = stat.aversion
        ephemeralOwner = stat.ephemeralSession ?? 0
        pzxid = stat.pzxid
        ttl = stat.ttl ?? 0
    }
}
