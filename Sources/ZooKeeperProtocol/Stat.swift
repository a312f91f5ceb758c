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

    /// The bytes a stat takes: seven longs and four ints.
    public static let encodedSize = 68

    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        self = try buffer.readJuteFixed("stat", size: Self.encodedSize) { fields in
            Stat(
                czxid: fields.load(), mzxid: fields.load(), ctime: fields.load(), mtime: fields.load(),
                version: fields.load(), cversion: fields.load(), aversion: fields.load(),
                ephemeralOwner: fields.load(), dataLength: fields.load(), numChildren: fields.load(),
                pzxid: fields.load())
        }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteFixed(size: Self.encodedSize) { fields in
            fields.store(czxid)
            fields.store(mzxid)
            fields.store(ctime)
            fields.store(mtime)
            fields.store(version)
            fields.store(cversion)
            fields.store(aversion)
            fields.store(ephemeralOwner)
            fields.store(dataLength)
            fields.store(numChildren)
            fields.store(pzxid)
        }
    }

    /// Whether the node is ephemeral.
    public var isEphemeral: Bool { ephemeralOwner != 0 }
}
