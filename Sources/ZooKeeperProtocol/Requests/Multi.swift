import NIOCore

/// Precedes each operation and result of a multi, and terminates the list (`proto.MultiHeader`).
public struct MultiHeader: JuteRecord, Hashable {
    public var type: Int32
    public var done: Bool
    public var error: Int32

    public init(type: Int32, done: Bool, error: Int32) {
        self.type = type
        self.done = done
        self.error = error
    }

    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        type = try buffer.readJuteInt()
        done = try buffer.readJuteBool()
        error = try buffer.readJuteInt()
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteInt(type)
        buffer.writeJuteBool(done)
        buffer.writeJuteInt(error)
    }

    /// The header that ends a multi request or response.
    public static let terminator = MultiHeader(type: -1, done: true, error: -1)
}

/// One operation of a `multi` (transaction) or `multiRead`.
public enum MultiOperation: Hashable, Sendable {
    case create(CreateRequest)
    case create2(Create2Request)
    case createContainer(CreateContainerRequest)
    case createTTL(CreateTTLRequest)
    case delete(DeleteRequest)
    case setData(SetDataRequest)
    case check(CheckVersionRequest)
    /// Only in `multiRead`.
    case getChildren(GetChildrenRequest)
    /// Only in `multiRead`.
    case getData(GetDataRequest)

    /// The opcode written in this operation's header.
    public var opCode: OpCode {
        switch self {
        case .create: .create
        case .create2: .create2
        case .createContainer: .createContainer
        case .createTTL: .createTTL
        case .delete: .delete
        case .setData: .setData
        case .check: .check
        case .getChildren: .getChildren
        case .getData: .getData
        }
    }

    /// The path the operation addresses.
    public var path: String {
        get {
            switch self {
            case .create(let r): r.path
            case .create2(let r): r.path
            case .createContainer(let r): r.path
            case .createTTL(let r): r.path
            case .delete(let r): r.path
            case .setData(let r): r.path
            case .check(let r): r.path
            case .getChildren(let r): r.path
            case .getData(let r): r.path
            }
        }
        set {
            switch self {
            case .create(var r): r.path = newValue; self = .create(r)
            case .create2(var r): r.path = newValue; self = .create2(r)
            case .createContainer(var r): r.path = newValue; self = .createContainer(r)
            case .createTTL(var r): r.path = newValue; self = .createTTL(r)
            case .delete(var r): r.path = newValue; self = .delete(r)
            case .setData(var r): r.path = newValue; self = .setData(r)
            case .check(var r): r.path = newValue; self = .check(r)
            case .getChildren(var r): r.path = newValue; self = .getChildren(r)
            case .getData(var r): r.path = newValue; self = .getData(r)
            }
        }
    }

    /// Whether the operation is a read, allowed only in `multiRead`.
    public var isRead: Bool {
        switch self {
        case .getChildren, .getData: true
        default: false
        }
    }

    func encodeRecord(into buffer: inout ByteBuffer) {
        switch self {
        case .create(let r): r.encode(into: &buffer)
        case .create2(let r): r.encode(into: &buffer)
        case .createContainer(let r): r.encode(into: &buffer)
        case .createTTL(let r): r.encode(into: &buffer)
        case .delete(let r): r.encode(into: &buffer)
        case .setData(let r): r.encode(into: &buffer)
        case .check(let r): r.encode(into: &buffer)
        case .getChildren(let r): r.encode(into: &buffer)
        case .getData(let r): r.encode(into: &buffer)
        }
    }

    init(opCode: OpCode, from buffer: inout ByteBuffer) throws(JuteError) {
        switch opCode {
        case .create: self = .create(try CreateRequest(from: &buffer))
        case .create2: self = .create2(try Create2Request(from: &buffer))
        case .createContainer: self = .createContainer(try CreateContainerRequest(from: &buffer))
        case .createTTL: self = .createTTL(try CreateTTLRequest(from: &buffer))
        case .delete: self = .delete(try DeleteRequest(from: &buffer))
        case .setData: self = .setData(try SetDataRequest(from: &buffer))
        case .check: self = .check(try CheckVersionRequest(from: &buffer))
        case .getChildren: self = .getChildren(try GetChildrenRequest(from: &buffer))
        case .getData: self = .getData(try GetDataRequest(from: &buffer))
        default: throw JuteError(.invalidValue, "operation type \(opCode.rawValue) in multi")
        }
    }
}

/// The records of `multi` and `multiRead`: operations, each behind a header, then a terminator.
public protocol MultiOperationsRequest: ZooKeeperRequest where Response == MultiResponse {
    var operations: [MultiOperation] { get set }
    init(operations: [MultiOperation])
}

extension MultiOperationsRequest {
    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        var operations: [MultiOperation] = []
        while true {
            let header = try MultiHeader(from: &buffer)
            if header.done { break }
            operations.append(try MultiOperation(opCode: OpCode(rawValue: header.type), from: &buffer))
        }
        self.init(operations: operations)
    }

    public func encode(into buffer: inout ByteBuffer) {
        for operation in operations {
            MultiHeader(type: operation.opCode.rawValue, done: false, error: -1).encode(into: &buffer)
            operation.encodeRecord(into: &buffer)
        }
        MultiHeader.terminator.encode(into: &buffer)
    }
}

/// `multi` (14): write operations applied atomically, all or none.
public struct MultiRequest: MultiOperationsRequest, Hashable {
    public typealias Response = MultiResponse
    public static let opCode = OpCode.multi
    public var operations: [MultiOperation]
    public init(operations: [MultiOperation]) { self.operations = operations }
}

/// `multiRead` (22): getData and getChildren operations, each succeeding or failing on its own.
public struct MultiReadRequest: MultiOperationsRequest, Hashable {
    public typealias Response = MultiResponse
    public static let opCode = OpCode.multiRead
    public var operations: [MultiOperation]
    public init(operations: [MultiOperation]) { self.operations = operations }
}

/// The result of one operation of a multi.
public enum MultiResult: Hashable, Sendable {
    /// Result type 1: the created path.
    case create(path: String)
    /// Result type 15 (for create2, createContainer and createTTL): the created path and its stat.
    case create2(path: String, stat: Stat)
    case delete
    case setData(stat: Stat)
    case check
    case getChildren(children: [String])
    case getData(data: [UInt8]?, stat: Stat)
    /// The operation failed with this code. In a failed transaction, operations before the failing
    /// one carry `ok`, the failing one its code, and those after it `runtimeInconsistency`.
    case error(ErrorCode)

    var type: Int32 {
        switch self {
        case .create: OpCode.create.rawValue
        case .create2: OpCode.create2.rawValue
        case .delete: OpCode.delete.rawValue
        case .setData: OpCode.setData.rawValue
        case .check: OpCode.check.rawValue
        case .getChildren: OpCode.getChildren.rawValue
        case .getData: OpCode.getData.rawValue
        case .error: OpCode.error.rawValue
        }
    }

    /// The error code, if this result is an error.
    public var error: ErrorCode? {
        if case .error(let code) = self { return code }
        return nil
    }
}

/// The reply to `multi` and `multiRead`.
public struct MultiResponse: JuteRecord, Hashable {
    public var results: [MultiResult]

    public init(results: [MultiResult]) { self.results = results }

    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        var results: [MultiResult] = []
        while true {
            let header = try MultiHeader(from: &buffer)
            if header.done { break }
            switch OpCode(rawValue: header.type) {
            case .create: results.append(.create(path: try buffer.readJuteNonNullString()))
            case .create2, .createContainer, .createTTL:
                results.append(.create2(path: try buffer.readJuteNonNullString(), stat: try Stat(from: &buffer)))
            case .delete: results.append(.delete)
            case .setData: results.append(.setData(stat: try Stat(from: &buffer)))
            case .check: results.append(.check)
            case .getChildren: results.append(.getChildren(children: try buffer.readJuteStringVector()))
            case .getData:
                results.append(.getData(data: try buffer.readJuteBuffer(), stat: try Stat(from: &buffer)))
            case .error: results.append(.error(ErrorCode(try buffer.readJuteInt())))
            default: throw JuteError(.invalidValue, "result type \(header.type) in multi response")
            }
        }
        self.results = results
    }

    public func encode(into buffer: inout ByteBuffer) {
        for result in results {
            MultiHeader(type: result.type, done: false, error: result.error?.rawValue ?? 0).encode(into: &buffer)
            switch result {
            case .create(let path): buffer.writeJuteString(path)
            case .create2(let path, let stat):
                buffer.writeJuteString(path)
                stat.encode(into: &buffer)
            case .delete, .check: break
            case .setData(let stat): stat.encode(into: &buffer)
            case .getChildren(let children): buffer.writeJuteStringVector(children)
            case .getData(let data, let stat):
                buffer.writeJuteBuffer(data)
                stat.encode(into: &buffer)
            case .error(let code): buffer.writeJuteInt(code.rawValue)
            }
        }
        MultiHeader.terminator.encode(into: &buffer)
    }
}
