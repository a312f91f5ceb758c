import NIOCore

/// Precedes every request but the first (`proto.RequestHeader`).
public struct RequestHeader: JuteRecord, Hashable {
    public var xid: Int32
    public var opCode: OpCode

    public init(xid: Int32, opCode: OpCode) {
        self.xid = xid
        self.opCode = opCode
    }

    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        xid = try buffer.readJuteInt()
        opCode = OpCode(rawValue: try buffer.readJuteInt())
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteInt(xid)
        buffer.writeJuteInt(opCode.rawValue)
    }
}

/// Precedes every reply but the first (`proto.ReplyHeader`). A body follows only when `error` is ok.
public struct ReplyHeader: JuteRecord, Hashable {
    public var xid: Int32
    /// The server's last processed zxid when the reply was sent (a write's own zxid for writes).
    public var zxid: Int64
    public var error: ErrorCode

    public init(xid: Int32, zxid: Int64, error: ErrorCode = .ok) {
        self.xid = xid
        self.zxid = zxid
        self.error = error
    }

    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        self = try buffer.readJuteFixed("reply header", size: 16) { fields in
            ReplyHeader(xid: fields.load(), zxid: fields.load(), error: ErrorCode(fields.load(Int32.self)))
        }
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteFixed(size: 16) { fields in
            fields.store(xid)
            fields.store(zxid)
            fields.store(error.rawValue)
        }
    }
}

/// A watch notification's body, sent with xid -1 (`proto.WatcherEvent`).
public struct WatcherEvent: JuteRecord, Hashable {
    public var type: EventType
    public var state: KeeperState
    public var path: String

    public init(type: EventType, state: KeeperState = .syncConnected, path: String) {
        self.type = type
        self.state = state
        self.path = path
    }

    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        type = EventType(rawValue: try buffer.readJuteInt())
        state = KeeperState(rawValue: try buffer.readJuteInt())
        path = try buffer.readJuteNonNullString()
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteInt(type.rawValue)
        buffer.writeJuteInt(state.rawValue)
        buffer.writeJuteString(path)
    }
}

/// The body of a reply that carries only a result code (`proto.ErrorResponse`), as addWatch's does.
public struct ErrorResponse: JuteRecord, Hashable {
    public var error: ErrorCode

    public init(error: ErrorCode = .ok) { self.error = error }

    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        error = ErrorCode(try buffer.readJuteInt())
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteInt(error.rawValue)
    }
}
