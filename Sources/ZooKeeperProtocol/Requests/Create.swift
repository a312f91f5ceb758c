import NIOCore

/// The fields every create request shares: path, data, ACL and flags.
public struct CreateFields: Hashable, Sendable {
    public var path: String
    public var data: [UInt8]?
    public var acl: [ACL]
    public var mode: CreateMode

    public init(path: String, data: [UInt8]?, acl: [ACL], mode: CreateMode) {
        self.path = path
        self.data = data
        self.acl = acl
        self.mode = mode
    }

    init(from buffer: inout ByteBuffer) throws(JuteError) {
        path = try buffer.readJuteNonNullString()
        data = try buffer.readJuteBuffer()
        acl = try buffer.readJuteACLs()
        mode = CreateMode(rawValue: try buffer.readJuteInt())
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteString(path)
        buffer.writeJuteBuffer(data)
        buffer.writeJuteACLs(acl)
        buffer.writeJuteInt(mode.rawValue)
    }
}

/// A request made of `CreateFields` alone; the opcode decides the reply.
public protocol CreateFieldsRequest: ZooKeeperRequest {
    var fields: CreateFields { get set }
    init(fields: CreateFields)
}

extension CreateFieldsRequest {
    public init(path: String, data: [UInt8]?, acl: [ACL], mode: CreateMode) {
        self.init(fields: CreateFields(path: path, data: data, acl: acl, mode: mode))
    }

    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        self.init(fields: try CreateFields(from: &buffer))
    }

    public func encode(into buffer: inout ByteBuffer) { fields.encode(into: &buffer) }

    public var path: String {
        get { fields.path }
        set { fields.path = newValue }
    }
}

/// `create` (1): replies with the created path.
public struct CreateRequest: CreateFieldsRequest, Hashable {
    public typealias Response = CreateResponse
    public static let opCode = OpCode.create
    public var fields: CreateFields
    public init(fields: CreateFields) { self.fields = fields }
}

/// `create2` (15): replies with the created path and its stat.
public struct Create2Request: CreateFieldsRequest, Hashable {
    public typealias Response = Create2Response
    public static let opCode = OpCode.create2
    public var fields: CreateFields
    public init(fields: CreateFields) { self.fields = fields }
}

/// `createContainer` (19): flags must be 4 (container).
public struct CreateContainerRequest: CreateFieldsRequest, Hashable {
    public typealias Response = Create2Response
    public static let opCode = OpCode.createContainer
    public var fields: CreateFields
    public init(fields: CreateFields) { self.fields = fields }
}

/// `createTTL` (21): a create with a time-to-live in milliseconds.
public struct CreateTTLRequest: ZooKeeperRequest, Hashable {
    public typealias Response = Create2Response
    public static let opCode = OpCode.createTTL
    public var fields: CreateFields
    public var ttl: Int64

    public init(path: String, data: [UInt8]?, acl: [ACL], mode: CreateMode, ttl: Int64) {
        fields = CreateFields(path: path, data: data, acl: acl, mode: mode)
        self.ttl = ttl
    }

    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        fields = try CreateFields(from: &buffer)
        ttl = try buffer.readJuteLong()
    }

    public func encode(into buffer: inout ByteBuffer) {
        fields.encode(into: &buffer)
        buffer.writeJuteLong(ttl)
    }

    public var path: String {
        get { fields.path }
        set { fields.path = newValue }
    }
}

/// The reply to `create`: the path as created (with its sequence suffix, if any).
public struct CreateResponse: JuteRecord, Hashable {
    public var path: String
    public init(path: String) { self.path = path }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        path = try buffer.readJuteNonNullString()
    }
    public func encode(into buffer: inout ByteBuffer) { buffer.writeJuteString(path) }
}

/// The reply to `create2`, `createContainer` and `createTTL`: the path and the new node's stat.
public struct Create2Response: JuteRecord, Hashable {
    public var path: String
    public var stat: Stat
    public init(path: String, stat: Stat) {
        self.path = path
        self.stat = stat
    }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        path = try buffer.readJuteNonNullString()
        stat = try Stat(from: &buffer)
    }
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteString(path)
        stat.encode(into: &buffer)
    }
}
