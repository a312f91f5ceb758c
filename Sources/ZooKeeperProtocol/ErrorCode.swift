/// A ZooKeeper result code (`KeeperException.Code`): 0 is success, negative values are errors.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    public static let ok = ErrorCode(0)
    public static let systemError = ErrorCode(-1)
    public static let runtimeInconsistency = ErrorCode(-2)
    public static let dataInconsistency = ErrorCode(-3)
    public static let connectionLoss = ErrorCode(-4)
    public static let marshallingError = ErrorCode(-5)
    public static let unimplemented = ErrorCode(-6)
    public static let operationTimeout = ErrorCode(-7)
    public static let badArguments = ErrorCode(-8)
    public static let unknownSession = ErrorCode(-12)
    public static let newConfigNoQuorum = ErrorCode(-13)
    public static let reconfigInProgress = ErrorCode(-14)
    public static let apiError = ErrorCode(-100)
    public static let noNode = ErrorCode(-101)
    public static let noAuth = ErrorCode(-102)
    public static let badVersion = ErrorCode(-103)
    public static let noChildrenForEphemerals = ErrorCode(-108)
    public static let nodeExists = ErrorCode(-110)
    public static let notEmpty = ErrorCode(-111)
    public static let sessionExpired = ErrorCode(-112)
    public static let invalidCallback = ErrorCode(-113)
    public static let invalidACL = ErrorCode(-114)
    public static let authFailed = ErrorCode(-115)
    public static let sessionMoved = ErrorCode(-118)
    public static let notReadOnly = ErrorCode(-119)
    public static let ephemeralOnLocalSession = ErrorCode(-120)
    public static let noWatcher = ErrorCode(-121)
    public static let requestTimeout = ErrorCode(-122)
    public static let reconfigDisabled = ErrorCode(-123)
    public static let sessionClosedRequireSaslAuth = ErrorCode(-124)
    public static let quotaExceeded = ErrorCode(-125)
    public static let throttledOp = ErrorCode(-127)
    /// Client-side, never sent by a server: the client was closed before the operation completed.
    public static let clientClosed = ErrorCode(-1000)
    /// Client-side, never sent by a server: no server accepted a session within the connect timeout.
    public static let connectFailed = ErrorCode(-1001)
    /// Client-side, never sent by a server: a reply was larger than the client's reply limit
    /// (`ZooKeeperClient.Configuration.maxReplyLength`); the client skipped it and kept the connection.
    public static let replyTooLarge = ErrorCode(-1002)

    static let names: [Int32: String] = [
        0: "OK", -1: "SystemError", -2: "RuntimeInconsistency", -3: "DataInconsistency",
        -4: "ConnectionLoss", -5: "MarshallingError", -6: "Unimplemented", -7: "OperationTimeout",
        -8: "BadArguments", -12: "UnknownSession", -13: "NewConfigNoQuorum",
        -14: "ReconfigInProgress", -100: "APIError", -101: "NoNode", -102: "NoAuth",
        -103: "BadVersion", -108: "NoChildrenForEphemerals", -110: "NodeExists", -111: "NotEmpty",
        -112: "SessionExpired", -113: "InvalidCallback", -114: "InvalidACL", -115: "AuthFailed",
        -118: "SessionMoved", -119: "NotReadOnly", -120: "EphemeralOnLocalSession",
        -121: "NoWatcher", -122: "RequestTimeout", -123: "ReconfigDisabled",
        -124: "SessionClosedRequireSaslAuth", -125: "QuotaExceeded", -127: "ThrottledOp",
        -1000: "ClientClosed", -1001: "ConnectFailed", -1002: "ReplyTooLarge",
    ]

    static let messages: [Int32: String] = [
        0: "ok", -1: "system error", -2: "runtime inconsistency", -3: "data inconsistency",
        -4: "connection loss", -5: "marshalling error", -6: "unimplemented",
        -7: "operation timeout", -8: "bad arguments", -12: "unknown session",
        -13: "new config has no quorum", -14: "reconfig in progress", -100: "API error",
        -101: "node does not exist", -102: "not authorized", -103: "bad version",
        -108: "ephemeral nodes may not have children", -110: "node already exists",
        -111: "node has children", -112: "session expired", -113: "invalid callback",
        -114: "invalid ACL", -115: "authentication failed", -118: "session moved",
        -119: "server is read-only", -120: "ephemeral on local session", -121: "no such watcher",
        -122: "request timeout", -123: "reconfig is disabled",
        -124: "session closed, SASL authentication required", -125: "quota exceeded",
        -127: "operation throttled", -1000: "client closed", -1001: "could not connect",
        -1002: "reply larger than the client's limit",
    ]

    /// The name ZooKeeper gives this code, such as `NoNode`.
    public var name: String { Self.names[rawValue] ?? "Error(\(rawValue))" }
    /// A short human-readable explanation, such as "node does not exist".
    public var message: String { Self.messages[rawValue] ?? "error \(rawValue)" }
    public var description: String { name }
}
