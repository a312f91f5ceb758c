import NIOCore
import ZooKeeperProtocol

/// A transaction as Apache ZooKeeper logs it: its type (an opcode) and its record (`CreateTxn`,
/// `DeleteTxn`, `SetDataTxn`, ... of `zookeeper.jute`).
public struct LoggedTransaction: Hashable, Sendable {
    /// The opcode in the record's header: tells `create` from `create2`, `delete` from
    /// `deleteContainer`, `setData` from `reconfig`.
    public var type: OpCode
    public var body: Body

    /// The record of each kind of transaction.
    public enum Body: Hashable, Sendable {
        /// A new session with its negotiated timeout in milliseconds (`CreateSessionTxn`).
        case createSession(timeout: Int32)
        /// A session's end with the ephemeral nodes it deletes (`CloseSessionTxn`); nil in logs
        /// of servers before 3.6, which wrote no record.
        case closeSession(paths: [String]?)
        /// `create` and `create2` (`CreateTxn`); the ephemeral owner is the header's session.
        /// `parentCVersion` is the parent's child count after the create, -1 in 3.3's format.
        case create(path: String, data: [UInt8]?, acl: [ACL], ephemeral: Bool, parentCVersion: Int32)
        /// `createContainer` (`CreateContainerTxn`).
        case createContainer(path: String, data: [UInt8]?, acl: [ACL], parentCVersion: Int32)
        /// `createTTL` (`CreateTTLTxn`).
        case createTTL(path: String, data: [UInt8]?, acl: [ACL], parentCVersion: Int32, ttl: Int64)
        /// `delete` and `deleteContainer` (`DeleteTxn`).
        case delete(path: String)
        /// `setData` and `reconfig` (`SetDataTxn`), with the node's new version.
        case setData(path: String, data: [UInt8]?, version: Int32)
        /// `setACL` (`SetACLTxn`), with the node's new ACL version.
        case setACL(path: String, acl: [ACL], version: Int32)
        /// A version check inside a multi (`CheckVersionTxn`).
        case check(path: String, version: Int32)
        /// A failed request: it took a zxid and changed nothing (`ErrorTxn`).
        case error(ErrorCode)
        /// The operations of a multi, applied at one zxid (`MultiTxn`); a failed multi holds an
        /// error for each operation.
        case multi([LoggedTransaction])
    }

    public init(type: OpCode, body: Body) {
        self.type = type
        self.body = body
    }

    /// The path the transaction changes, if it names one.
    public var path: String? {
        switch body {
        case .create(let path, _, _, _, _), .createContainer(let path, _, _, _), .createTTL(let path, _, _, _, _),
            .delete(let path), .setData(let path, _, _), .setACL(let path, _, _), .check(let path, _):
            path
        case .createSession, .closeSession, .error, .multi:
            nil
        }
    }

    /// Writes the record (without the type, which the header or the multi entry carries).
    public func encode(into buffer: inout ByteBuffer) {
        switch body {
        case .createSession(let timeout):
            buffer.writeJuteInt(timeout)
        case .closeSession(let paths):
            if let paths { buffer.writeJuteStringVector(paths) }
        case .create(let path, let data, let acl, let ephemeral, let parentCVersion):
            buffer.writeJuteString(path)
            buffer.writeJuteBuffer(data)
            buffer.writeJuteACLs(acl)
            buffer.writeJuteBool(ephemeral)
            buffer.writeJuteInt(parentCVersion)
        case .createContainer(let path, let data, let acl, let parentCVersion):
            buffer.writeJuteString(path)
            buffer.writeJuteBuffer(data)
            buffer.writeJuteACLs(acl)
            buffer.writeJuteInt(parentCVersion)
        case .createTTL(let path, let data, let acl, let parentCVersion, let ttl):
            buffer.writeJuteString(path)
            buffer.writeJuteBuffer(data)
            buffer.writeJuteACLs(acl)
            buffer.writeJuteInt(parentCVersion)
            buffer.writeJuteLong(ttl)
        case .delete(let path):
            buffer.writeJuteString(path)
        case .setData(let path, let data, let version):
            buffer.writeJuteString(path)
            buffer.writeJuteBuffer(data)
            buffer.writeJuteInt(version)
        case .setACL(let path, let acl, let version):
            buffer.writeJuteString(path)
            buffer.writeJuteACLs(acl)
            buffer.writeJuteInt(version)
        case .check(let path, let version):
            buffer.writeJuteString(path)
            buffer.writeJuteInt(version)
        case .error(let code):
            buffer.writeJuteInt(code.rawValue)
        case .multi(let operations):
            buffer.writeJuteInt(Int32(operations.count))
            for operation in operations {
                buffer.writeJuteInt(operation.type.rawValue)
                var record = ByteBuffer()
                operation.encode(into: &record)
                buffer.writeJuteBuffer(Array(record.readableBytesView))
            }
        }
    }

    /// Reads the record of a transaction of type `type`, as `SerializeUtils.deserializeTxn` does:
    /// a create without `parentCVersion` is 3.3's format, a close without a record a pre-3.6 one.
    public init(type: OpCode, from buffer: inout ByteBuffer) throws(JuteError) {
        self.type = type
        switch type {
        case .createSession:
            body = .createSession(timeout: try buffer.readJuteInt())
        case .closeSession:
            body = .closeSession(paths: buffer.readableBytes == 0 ? nil : try buffer.readJuteStringVector())
        case .create, .create2:
            let path = try buffer.readJuteNonNullString()
            let data = try buffer.readJuteBuffer()
            let acl = try buffer.readJuteACLs()
            let ephemeral = try buffer.readJuteBool()
            let parentCVersion = buffer.readableBytes >= 4 ? try buffer.readJuteInt() : -1
            body = .create(path: path, data: data, acl: acl, ephemeral: ephemeral, parentCVersion: parentCVersion)
        case .createContainer:
            body = .createContainer(
                path: try buffer.readJuteNonNullString(), data: try buffer.readJuteBuffer(),
                acl: try buffer.readJuteACLs(), parentCVersion: try buffer.readJuteInt())
        case .createTTL:
            body = .createTTL(
                path: try buffer.readJuteNonNullString(), data: try buffer.readJuteBuffer(),
                acl: try buffer.readJuteACLs(), parentCVersion: try buffer.readJuteInt(), ttl: try buffer.readJuteLong()
            )
        case .delete, .deleteContainer:
            body = .delete(path: try buffer.readJuteNonNullString())
        case .setData, .reconfig:
            body = .setData(
                path: try buffer.readJuteNonNullString(), data: try buffer.readJuteBuffer(),
                version: try buffer.readJuteInt())
        case .setACL:
            body = .setACL(
                path: try buffer.readJuteNonNullString(), acl: try buffer.readJuteACLs(),
                version: try buffer.readJuteInt())
        case .check:
            body = .check(path: try buffer.readJuteNonNullString(), version: try buffer.readJuteInt())
        case .error:
            body = .error(ErrorCode(rawValue: try buffer.readJuteInt()))
        case .multi:
            let operations = try buffer.readJuteVector(minimumElementSize: 8) {
                (buffer: inout ByteBuffer) throws(JuteError) -> LoggedTransaction in
                let type = OpCode(rawValue: try buffer.readJuteInt())
                guard type != .multi else { throw JuteError(.invalidValue, "a multi inside a multi") }
                var record = ByteBuffer(bytes: try buffer.readJuteBuffer() ?? [])
                return try LoggedTransaction(type: type, from: &record)
            }
            body = .multi(operations ?? [])
        default:
            throw JuteError(.invalidValue, "transaction type \(type.rawValue)")
        }
    }
}
