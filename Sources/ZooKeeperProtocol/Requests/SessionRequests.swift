import NIOCore

/// `ping` (11), sent with xid -2: a header alone keeps the session alive.
public struct PingRequest: ZooKeeperRequest, Hashable {
    public typealias Response = EmptyResponse
    public static let opCode = OpCode.ping
    public init() {}
    public init(from buffer: inout ByteBuffer) {}
    public func encode(into buffer: inout ByteBuffer) {}
}

/// `closeSession` (-11): ends the session; its ephemeral nodes are deleted.
public struct CloseSessionRequest: ZooKeeperRequest, Hashable {
    public typealias Response = EmptyResponse
    public static let opCode = OpCode.closeSession
    public init() {}
    public init(from buffer: inout ByteBuffer) {}
    public func encode(into buffer: inout ByteBuffer) {}
}

/// `auth` (100), sent with xid -4 (`proto.AuthPacket`); the server closes the connection on failure.
public struct AuthPacket: ZooKeeperRequest, Hashable {
    public typealias Response = EmptyResponse
    public static let opCode = OpCode.auth
    public var type: Int32
    public var scheme: String
    public var auth: [UInt8]
    public init(type: Int32 = 0, scheme: String, auth: [UInt8]) {
        self.type = type
        self.scheme = scheme
        self.auth = auth
    }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        type = try buffer.readJuteInt()
        scheme = try buffer.readJuteNonNullString()
        auth = try buffer.readJuteBuffer() ?? []
    }
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteInt(type)
        buffer.writeJuteString(scheme)
        buffer.writeJuteBuffer(auth)
    }
}

/// `whoAmI` (107): the identities the server associates with this connection.
public struct WhoAmIRequest: ZooKeeperRequest, Hashable {
    public typealias Response = WhoAmIResponse
    public static let opCode = OpCode.whoAmI
    public init() {}
    public init(from buffer: inout ByteBuffer) {}
    public func encode(into buffer: inout ByteBuffer) {}
}

/// One identity in a `whoAmI` reply (`data.ClientInfo`).
public struct ClientInfo: JuteRecord, Hashable {
    public var authScheme: String
    public var user: String
    public init(authScheme: String, user: String) {
        self.authScheme = authScheme
        self.user = user
    }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        authScheme = try buffer.readJuteNonNullString()
        user = try buffer.readJuteNonNullString()
    }
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteString(authScheme)
        buffer.writeJuteString(user)
    }
}

/// The reply to `whoAmI`.
public struct WhoAmIResponse: JuteRecord, Hashable {
    public var clientInfo: [ClientInfo]
    public init(clientInfo: [ClientInfo]) { self.clientInfo = clientInfo }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        clientInfo =
            try buffer.readJuteVector(minimumElementSize: 8) { (buffer: inout ByteBuffer) throws(JuteError) in
                try ClientInfo(from: &buffer)
            } ?? []
    }
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteVector(clientInfo) { $1.encode(into: &$0) }
    }
}

/// `sasl` (102): one SASL token exchange (`proto.GetSASLRequest`).
public struct SASLRequest: ZooKeeperRequest, Hashable {
    public typealias Response = SASLResponse
    public static let opCode = OpCode.sasl
    public var token: [UInt8]
    public init(token: [UInt8]) { self.token = token }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        token = try buffer.readJuteBuffer() ?? []
    }
    public func encode(into buffer: inout ByteBuffer) { buffer.writeJuteBuffer(token) }
}

/// The reply to `sasl` (`proto.SetSASLResponse`).
public struct SASLResponse: JuteRecord, Hashable {
    public var token: [UInt8]
    public init(token: [UInt8]) { self.token = token }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        token = try buffer.readJuteBuffer() ?? []
    }
    public func encode(into buffer: inout ByteBuffer) { buffer.writeJuteBuffer(token) }
}

/// `reconfig` (16): changes the ensemble's membership; replies with the new config as getData does.
public struct ReconfigRequest: ZooKeeperRequest, Hashable {
    public typealias Response = GetDataResponse
    public static let opCode = OpCode.reconfig
    public var joiningServers: String?
    public var leavingServers: String?
    public var newMembers: String?
    /// The config version the change applies to, or -1 for any.
    public var currentConfigID: Int64
    public init(
        joiningServers: String?, leavingServers: String?, newMembers: String?,
        currentConfigID: Int64 = -1
    ) {
        self.joiningServers = joiningServers
        self.leavingServers = leavingServers
        self.newMembers = newMembers
        self.currentConfigID = currentConfigID
    }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        joiningServers = try buffer.readJuteString()
        leavingServers = try buffer.readJuteString()
        newMembers = try buffer.readJuteString()
        currentConfigID = try buffer.readJuteLong()
    }
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteString(joiningServers)
        buffer.writeJuteString(leavingServers)
        buffer.writeJuteString(newMembers)
        buffer.writeJuteLong(currentConfigID)
    }
}

/// The path of the ensemble's configuration node, read by `getConfig`.
public let configNodePath = "/zookeeper/config"
