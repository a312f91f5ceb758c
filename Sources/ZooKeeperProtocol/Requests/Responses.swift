import NIOCore

/// A reply body holding one stat (exists, setData, setACL).
public struct StatResponse: JuteRecord, Hashable {
    public var stat: Stat
    public init(stat: Stat) { self.stat = stat }
    public init(from buffer: inout ByteBuffer) throws(JuteError) { stat = try Stat(from: &buffer) }
    public func encode(into buffer: inout ByteBuffer) { stat.encode(into: &buffer) }
}

/// A reply body holding one path (sync).
public struct PathResponse: JuteRecord, Hashable {
    public var path: String
    public init(path: String) { self.path = path }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        path = try buffer.readJuteNonNullString()
    }
    public func encode(into buffer: inout ByteBuffer) { buffer.writeJuteString(path) }
}

/// The reply to `getData` (and `reconfig`): the data (nil when stored as null) and the stat.
public struct GetDataResponse: JuteRecord, Hashable {
    public var data: [UInt8]?
    public var stat: Stat
    public init(data: [UInt8]?, stat: Stat) {
        self.data = data
        self.stat = stat
    }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        data = try buffer.readJuteBuffer()
        stat = try Stat(from: &buffer)
    }
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteBuffer(data)
        stat.encode(into: &buffer)
    }
}

/// The reply to `getACL`.
public struct GetACLResponse: JuteRecord, Hashable {
    public var acl: [ACL]
    public var stat: Stat
    public init(acl: [ACL], stat: Stat) {
        self.acl = acl
        self.stat = stat
    }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        acl = try buffer.readJuteACLs()
        stat = try Stat(from: &buffer)
    }
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteACLs(acl)
        stat.encode(into: &buffer)
    }
}

/// The reply to `getChildren`.
public struct GetChildrenResponse: JuteRecord, Hashable {
    public var children: [String]
    public init(children: [String]) { self.children = children }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        children = try buffer.readJuteStringVector()
    }
    public func encode(into buffer: inout ByteBuffer) { buffer.writeJuteStringVector(children) }
}

/// The reply to `getChildren2`: the children and the parent's stat.
public struct GetChildren2Response: JuteRecord, Hashable {
    public var children: [String]
    public var stat: Stat
    public init(children: [String], stat: Stat) {
        self.children = children
        self.stat = stat
    }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        children = try buffer.readJuteStringVector()
        stat = try Stat(from: &buffer)
    }
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteStringVector(children)
        stat.encode(into: &buffer)
    }
}

/// The reply to `getAllChildrenNumber`.
public struct GetAllChildrenNumberResponse: JuteRecord, Hashable {
    public var totalNumber: Int32
    public init(totalNumber: Int32) { self.totalNumber = totalNumber }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        totalNumber = try buffer.readJuteInt()
    }
    public func encode(into buffer: inout ByteBuffer) { buffer.writeJuteInt(totalNumber) }
}

/// The reply to `getEphemerals`: full paths.
public struct GetEphemeralsResponse: JuteRecord, Hashable {
    public var ephemerals: [String]
    public init(ephemerals: [String]) { self.ephemerals = ephemerals }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        ephemerals = try buffer.readJuteStringVector()
    }
    public func encode(into buffer: inout ByteBuffer) { buffer.writeJuteStringVector(ephemerals) }
}
