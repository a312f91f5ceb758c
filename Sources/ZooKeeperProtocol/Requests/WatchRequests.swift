import NIOCore

/// `setWatches` (101): re-registers one-shot watches after a reconnect.
public struct SetWatchesRequest: ZooKeeperRequest, Hashable {
    public typealias Response = EmptyResponse
    public static let opCode = OpCode.setWatches
    /// The last zxid the client saw; changes after it fire at once.
    public var relativeZxid: Int64
    public var dataWatches: [String]
    public var existWatches: [String]
    public var childWatches: [String]
    public init(
        relativeZxid: Int64, dataWatches: [String], existWatches: [String], childWatches: [String]
    ) {
        self.relativeZxid = relativeZxid
        self.dataWatches = dataWatches
        self.existWatches = existWatches
        self.childWatches = childWatches
    }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        relativeZxid = try buffer.readJuteLong()
        dataWatches = try buffer.readJuteStringVector()
        existWatches = try buffer.readJuteStringVector()
        childWatches = try buffer.readJuteStringVector()
    }
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteLong(relativeZxid)
        buffer.writeJuteStringVector(dataWatches)
        buffer.writeJuteStringVector(existWatches)
        buffer.writeJuteStringVector(childWatches)
    }
}

/// `setWatches2` (105): as `setWatches`, with persistent and persistent-recursive watches (3.6+).
public struct SetWatches2Request: ZooKeeperRequest, Hashable {
    public typealias Response = EmptyResponse
    public static let opCode = OpCode.setWatches2
    public var relativeZxid: Int64
    public var dataWatches: [String]
    public var existWatches: [String]
    public var childWatches: [String]
    public var persistentWatches: [String]
    public var persistentRecursiveWatches: [String]
    public init(
        relativeZxid: Int64, dataWatches: [String], existWatches: [String], childWatches: [String],
        persistentWatches: [String], persistentRecursiveWatches: [String]
    ) {
        self.relativeZxid = relativeZxid
        self.dataWatches = dataWatches
        self.existWatches = existWatches
        self.childWatches = childWatches
        self.persistentWatches = persistentWatches
        self.persistentRecursiveWatches = persistentRecursiveWatches
    }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        relativeZxid = try buffer.readJuteLong()
        dataWatches = try buffer.readJuteStringVector()
        existWatches = try buffer.readJuteStringVector()
        childWatches = try buffer.readJuteStringVector()
        persistentWatches = try buffer.readJuteStringVector()
        persistentRecursiveWatches = try buffer.readJuteStringVector()
    }
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteLong(relativeZxid)
        buffer.writeJuteStringVector(dataWatches)
        buffer.writeJuteStringVector(existWatches)
        buffer.writeJuteStringVector(childWatches)
        buffer.writeJuteStringVector(persistentWatches)
        buffer.writeJuteStringVector(persistentRecursiveWatches)
    }
}

/// `addWatch` (106): a persistent or persistent-recursive watch; the reply is an `ErrorResponse`.
public struct AddWatchRequest: ZooKeeperRequest, Hashable {
    public typealias Response = ErrorResponse
    public static let opCode = OpCode.addWatch
    public var path: String
    public var mode: AddWatchMode
    public init(path: String, mode: AddWatchMode) {
        self.path = path
        self.mode = mode
    }
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        path = try buffer.readJuteNonNullString()
        mode = AddWatchMode(rawValue: try buffer.readJuteInt())
    }
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteString(path)
        buffer.writeJuteInt(mode.rawValue)
    }
}

/// The record of `checkWatches` and `removeWatches`: a path and a watcher type.
public protocol WatcherTypeRequest: ZooKeeperRequest {
    var path: String { get set }
    var type: WatcherType { get set }
    init(path: String, type: WatcherType)
}

extension WatcherTypeRequest {
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        self.init(
            path: try buffer.readJuteNonNullString(), type: WatcherType(rawValue: try buffer.readJuteInt()))
    }
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteString(path)
        buffer.writeJuteInt(type.rawValue)
    }
}

/// `checkWatches` (17): NoWatcher when the connection has no such watch.
public struct CheckWatchesRequest: WatcherTypeRequest, Hashable {
    public typealias Response = EmptyResponse
    public static let opCode = OpCode.checkWatches
    public var path: String
    public var type: WatcherType
    public init(path: String, type: WatcherType) {
        self.path = path
        self.type = type
    }
}

/// `removeWatches` (18): NoWatcher when nothing was removed.
public struct RemoveWatchesRequest: WatcherTypeRequest, Hashable {
    public typealias Response = EmptyResponse
    public static let opCode = OpCode.removeWatches
    public var path: String
    public var type: WatcherType
    public init(path: String, type: WatcherType) {
        self.path = path
        self.type = type
    }
}
