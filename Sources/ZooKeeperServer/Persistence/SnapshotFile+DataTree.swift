import NIOCore
import ZooKeeperProtocol

extension SnapshotFile {
    /// The uncompressed bytes of a snapshot of a tree (in Apache ZooKeeper's order, parents
    /// first) and of sessions, handed to `write` in pieces of about `pieceSize` bytes as they are
    /// encoded, in one buffer used again for each: the file never lies whole in memory. Written
    /// whole (190 MB at a million nodes), its pages were fresh memory for each snapshot and cold
    /// by the time the kernel copied them, which took a sixth of the server's CPU under load.
    ///
    /// The ACL cache comes before the nodes, so a first pass over the nodes (in the order they
    /// lie, which is cheap) numbers the lists they use; the nodes are then encoded in one walk,
    /// each where it lies.
    static func encode(
        tree: DataTree.Contents, sessions: [(id: Int64, timeout: Int32)], pieceSize: Int = 1 << 20,
        to write: (ByteBuffer) throws -> Void
    ) rethrows {
        var numbering = ACLNumbering()
        tree.forEachNode { node in _ = numbering.key(of: node.acl) }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(pieceSize + pieceSize / 4)
        encodeHead(
            DataFileHeader(magic: DataFileHeader.snapshotMagic), sessions: sessions, aclCache: numbering.cache,
            into: &buffer)
        var adler = Adler32()
        try tree.visitInPreorder { path, place, node in
            tree.withData(of: node, at: place) { data in
                encodeNode(path, data, numbering.key(of: node.acl), PersistedStat(node), into: &buffer)
            }
            if buffer.readableBytes >= pieceSize {
                adler.update(buffer.readableBytesView)
                try write(buffer)
                buffer.clear()
            }
        }
        buffer.writeJuteString("/")
        seal(&buffer, after: adler)
        try write(buffer)
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
    /// A snapshot's node (its children and data are the tree's to add). Each field is set once: set
    /// after `init(data:acl:zxid:time:owner:)`, the node was copied whole, a tenth of a
    /// restart's time at a million nodes.
    init(_ stat: PersistedStat, acl: [ACL]) {
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
