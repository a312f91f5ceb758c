import NIOCore

/// `delete` (2): version -1 matches any version.
public struct DeleteRequest: ZooKeeperRequest, Hashable {
    public typealias Response = EmptyResponse
    public static let opCode = OpCode.delete
    public var path: String
    public var version: Int32
    public init(path: String, version: Int32 = -1) {
        self.path = path
        self.version = version
    }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        path = try buffer.readJuteNonNullString()
        version = try buffer.readJuteInt()
    }
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteString(path)
        buffer.writeJuteInt(version)
    }
}

/// The shape shared by reads that take a path and a watch flag.
public protocol WatchablePathRequest: ZooKeeperRequest {
    var path: String { get set }
    var watch: Bool { get set }
    init(path: String, watch: Bool)
}

extension WatchablePathRequest {
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        self.init(path: try buffer.readJuteNonNullString(), watch: try buffer.readJuteBool())
    }
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteString(path)
        buffer.writeJuteBool(watch)
    }
}

/// `exists` (3): a missing node is the error NoNode; with `watch` an exist watch is set either way.
public struct ExistsRequest: WatchablePathRequest, Hashable {
    public typealias Response = StatResponse
    public static let opCode = OpCode.exists
    public var path: String
    public var watch: Bool
    public init(path: String, watch: Bool = false) {
        self.path = path
        self.watch = watch
    }
}

/// `getData` (4).
public struct GetDataRequest: WatchablePathRequest, Hashable {
    public typealias Response = GetDataResponse
    public static let opCode = OpCode.getData
    public var path: String
    public var watch: Bool
    public init(path: String, watch: Bool = false) {
        self.path = path
        self.watch = watch
    }
}

/// `getChildren` (8): the children's names, in no particular order.
public struct GetChildrenRequest: WatchablePathRequest, Hashable {
    public typealias Response = GetChildrenResponse
    public static let opCode = OpCode.getChildren
    public var path: String
    public var watch: Bool
    public init(path: String, watch: Bool = false) {
        self.path = path
        self.watch = watch
    }
}

/// `getChildren2` (12): the children and the parent's stat.
public struct GetChildren2Request: WatchablePathRequest, Hashable {
    public typealias Response = GetChildren2Response
    public static let opCode = OpCode.getChildren2
    public var path: String
    public var watch: Bool
    public init(path: String, watch: Bool = false) {
        self.path = path
        self.watch = watch
    }
}

/// `setData` (5): version -1 matches any version.
public struct SetDataRequest: ZooKeeperRequest, Hashable {
    public typealias Response = StatResponse
    public static let opCode = OpCode.setData
    public var path: String
    public var data: [UInt8]?
    public var version: Int32
    public init(path: String, data: [UInt8]?, version: Int32 = -1) {
        self.path = path
        self.data = data
        self.version = version
    }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        path = try buffer.readJuteNonNullString()
        data = try buffer.readJuteBuffer()
        version = try buffer.readJuteInt()
    }
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteString(path)
        buffer.writeJuteBuffer(data)
        buffer.writeJuteInt(version)
    }
}

/// `getACL` (6).
public struct GetACLRequest: ZooKeeperRequest, Hashable {
    public typealias Response = GetACLResponse
    public static let opCode = OpCode.getACL
    public var path: String
    public init(path: String) { self.path = path }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        path = try buffer.readJuteNonNullString()
    }
    public func encode(into buffer: inout ByteBuffer) { buffer.writeJuteString(path) }
}

/// `setACL` (7): the version is compared with the node's `aversion`.
public struct SetACLRequest: ZooKeeperRequest, Hashable {
    public typealias Response = StatResponse
    public static let opCode = OpCode.setACL
    public var path: String
    public var acl: [ACL]
    public var version: Int32
    public init(path: String, acl: [ACL], version: Int32 = -1) {
        self.path = path
        self.acl = acl
        self.version = version
    }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        path = try buffer.readJuteNonNullString()
        acl = try buffer.readJuteACLs()
        version = try buffer.readJuteInt()
    }
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteString(path)
        buffer.writeJuteACLs(acl)
        buffer.writeJuteInt(version)
    }
}

/// `sync` (9): replies with the path once the server has caught up with the leader.
public struct SyncRequest: ZooKeeperRequest, Hashable {
    public typealias Response = PathResponse
    public static let opCode = OpCode.sync
    public var path: String
    public init(path: String) { self.path = path }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        path = try buffer.readJuteNonNullString()
    }
    public func encode(into buffer: inout ByteBuffer) { buffer.writeJuteString(path) }
}

/// `check` (13): a version check, valid only inside a multi.
public struct CheckVersionRequest: ZooKeeperRequest, Hashable {
    public typealias Response = EmptyResponse
    public static let opCode = OpCode.check
    public var path: String
    public var version: Int32
    public init(path: String, version: Int32) {
        self.path = path
        self.version = version
    }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        path = try buffer.readJuteNonNullString()
        version = try buffer.readJuteInt()
    }
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteString(path)
        buffer.writeJuteInt(version)
    }
}

/// `getAllChildrenNumber` (104): the number of all descendants of a node.
public struct GetAllChildrenNumberRequest: ZooKeeperRequest, Hashable {
    public typealias Response = GetAllChildrenNumberResponse
    public static let opCode = OpCode.getAllChildrenNumber
    public var path: String
    public init(path: String) { self.path = path }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        path = try buffer.readJuteNonNullString()
    }
    public func encode(into buffer: inout ByteBuffer) { buffer.writeJuteString(path) }
}

/// `getEphemerals` (103): this session's ephemeral nodes whose path starts with the prefix.
public struct GetEphemeralsRequest: ZooKeeperRequest, Hashable {
    public typealias Response = GetEphemeralsResponse
    public static let opCode = OpCode.getEphemerals
    /// The prefix; "/" (or "") lists them all.
    public var path: String
    public init(prefixPath: String) { self.path = prefixPath }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        path = try buffer.readJuteNonNullString()
    }
    public func encode(into buffer: inout ByteBuffer) { buffer.writeJuteString(path) }
}
