import NIOCore

/// A node's metadata (`data.Stat`): 68 bytes on the wire.
public struct Stat: JuteRecord, Hashable {
    /// The zxid of the transaction that created the node.
    public var czxid: Int64
    /// The zxid of the transaction that last changed the node's data.
    public var mzxid: Int64
    /// Creation time, milliseconds since the epoch.
    public var ctime: Int64
    /// Last modification time, milliseconds since the epoch.
    public var mtime: Int64
    /// The number of changes to the data.
    public var version: Int32
    /// The number of changes to the children.
    public var cversion: Int32
    /// The number of changes to the ACL.
    public var aversion: Int32
    /// The session owning an ephemeral node, 0 for other nodes.
    public var ephemeralOwner: Int64
    /// The length of the data in bytes.
    public var dataLength: Int32
    /// The number of children.
    public var numChildren: Int32
    /// The zxid of the last change to the children.
    public var pzxid: Int64

    public init(
        czxid: Int64 = 0, mzxid: Int64 = 0, ctime: Int64 = 0, mtime: Int64 = 0, version: Int32 = 0,
        cversion: Int32 = 0, aversion: Int32 = 0, ephemeralOwner: Int64 = 0, dataLength: Int32 = 0,
        numChildren: Int32 = 0, pzxid: Int64 = 0
    ) {
        self.czxid = czxid
        self.mzxid = mzxid
        self.ctime = ctime
        self.mtime = mtime
        self.version = version
        self.cversion = cversion
        self.aversion = aversion
        self.ephemeralOwner = ephemeralOwner
        self.dataLength = dataLength
        self.numChildren = numChildren
        self.pzxid = pzxid
    }

    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        czxid = try buffer.readJuteLong()
        mzxid = try buffer.readJuteLong()
        ctime = try buffer.readJuteLong()
        mtime = try buffer.readJuteLong()
        version = try buffer.readJuteInt()
        cversion = try buffer.readJuteInt()
        aversion = try buffer.readJuteInt()
        ephemeralOwner = try buffer.readJuteLong()
        dataLength = try buffer.readJuteInt()
        numChildren = try buffer.readJuteInt()
        pzxid = try buffer.readJuteLong()
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteLong(czxid)
        buffer.writeJuteLong(mzxid)
        buffer.writeJuteLong(ctime)
        buffer.writeJuteLong(mtime)
        buffer.writeJuteInt(version)
        buffer.writeJuteInt(cversion)
        buffer.writeJuteInt(aversion)
        buffer.writeJuteLong(ephemeralOwner)
        buffer.writeJuteInt(dataLength)
        buffer.writeJuteInt(numChildren)
        buffer.writeJuteLong(pzxid)
    }

    /// Whether the node is ephemeral.
    public var isEphemeral: Bool { ephemeralOwner != 0 }
}
