import NIOCore

/// The first frame a client sends (`proto.ConnectRequest`); it has no request header.
public struct ConnectRequest: JuteRecord, Hashable {
    public var protocolVersion: Int32
    /// The highest zxid the client has seen; a server that is behind refuses the connection.
    public var lastZxidSeen: Int64
    /// The requested session timeout in milliseconds.
    public var timeout: Int32
    /// 0 for a new session, else the session to resume.
    public var sessionID: Int64
    /// The session password: 16 zero bytes for a new session.
    public var password: [UInt8]
    /// Whether the client accepts a read-only server; nil when the field is absent (44 bytes).
    public var readOnly: Bool?

    public init(
        protocolVersion: Int32 = 0, lastZxidSeen: Int64 = 0, timeout: Int32, sessionID: Int64 = 0,
        password: [UInt8] = [UInt8](repeating: 0, count: 16), readOnly: Bool? = false
    ) {
        self.protocolVersion = protocolVersion
        self.lastZxidSeen = lastZxidSeen
        self.timeout = timeout
        self.sessionID = sessionID
        self.password = password
        self.readOnly = readOnly
    }

    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        protocolVersion = try buffer.readJuteInt()
        lastZxidSeen = try buffer.readJuteLong()
        timeout = try buffer.readJuteInt()
        sessionID = try buffer.readJuteLong()
        password = try buffer.readJuteBuffer() ?? []
        readOnly = buffer.readableBytes > 0 ? try buffer.readJuteBool() : nil
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteInt(protocolVersion)
        buffer.writeJuteLong(lastZxidSeen)
        buffer.writeJuteInt(timeout)
        buffer.writeJuteLong(sessionID)
        buffer.writeJuteBuffer(password)
        if let readOnly { buffer.writeJuteBool(readOnly) }
    }
}

/// The server's answer to a `ConnectRequest` (`proto.ConnectResponse`); it has no reply header.
///
/// A timeout of 0 (or less) means the session is unknown or expired, or the password was wrong.
public struct ConnectResponse: JuteRecord, Hashable {
    public var protocolVersion: Int32
    /// The negotiated session timeout in milliseconds.
    public var timeout: Int32
    public var sessionID: Int64
    public var password: [UInt8]
    /// Whether the server is read-only; nil when the field is absent.
    public var readOnly: Bool?

    public init(
        protocolVersion: Int32 = 0, timeout: Int32, sessionID: Int64, password: [UInt8],
        readOnly: Bool? = false
    ) {
        self.protocolVersion = protocolVersion
        self.timeout = timeout
        self.sessionID = sessionID
        self.password = password
        self.readOnly = readOnly
    }

    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        protocolVersion = try buffer.readJuteInt()
        timeout = try buffer.readJuteInt()
        sessionID = try buffer.readJuteLong()
        password = try buffer.readJuteBuffer() ?? []
        readOnly = buffer.readableBytes > 0 ? try buffer.readJuteBool() : nil
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteInt(protocolVersion)
        buffer.writeJuteInt(timeout)
        buffer.writeJuteLong(sessionID)
        buffer.writeJuteBuffer(password)
        if let readOnly { buffer.writeJuteBool(readOnly) }
    }

    /// Whether the server refused to resume the session (expired, unknown or wrong password).
    public var isSessionRejected: Bool { timeout <= 0 }
}
