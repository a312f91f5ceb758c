import NIOCore
import ZooKeeperProtocol

/// A change to the server's state, as written to the transaction log and replayed on recovery.
enum Transaction: Hashable, Sendable {
    case createSession(id: Int64, timeout: Int32, password: [UInt8])
    case closeSession(id: Int64)
    case create(path: String, data: [UInt8]?, acl: [ACL], mode: CreateMode, owner: Int64, ttl: Int64)
    case delete(path: String)
    case setData(path: String, data: [UInt8]?)
    case setACL(path: String, acl: [ACL])
    /// A failed write: it consumed a zxid and changed nothing.
    case error
    /// A successful multi: its operations, applied at one zxid.
    case multi([Transaction])

    private var tag: Int32 {
        switch self {
        case .createSession: 1
        case .closeSession: 2
        case .create: 3
        case .delete: 4
        case .setData: 5
        case .setACL: 6
        case .error: 7
        case .multi: 8
        }
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteInt(tag)
        switch self {
        case .createSession(let id, let timeout, let password):
            buffer.writeJuteLong(id)
            buffer.writeJuteInt(timeout)
            buffer.writeJuteBuffer(password)
        case .closeSession(let id):
            buffer.writeJuteLong(id)
        case .create(let path, let data, let acl, let mode, let owner, let ttl):
            buffer.writeJuteString(path)
            buffer.writeJuteBuffer(data)
            buffer.writeJuteACLs(acl)
            buffer.writeJuteInt(mode.rawValue)
            buffer.writeJuteLong(owner)
            buffer.writeJuteLong(ttl)
        case .delete(let path):
            buffer.writeJuteString(path)
        case .setData(let path, let data):
            buffer.writeJuteString(path)
            buffer.writeJuteBuffer(data)
        case .setACL(let path, let acl):
            buffer.writeJuteString(path)
            buffer.writeJuteACLs(acl)
        case .error:
            break
        case .multi(let transactions):
            buffer.writeJuteInt(Int32(transactions.count))
            for transaction in transactions { transaction.encode(into: &buffer) }
        }
    }

    init(from buffer: inout ByteBuffer) throws(JuteError) {
        switch try buffer.readJuteInt() {
        case 1:
            self = .createSession(
                id: try buffer.readJuteLong(), timeout: try buffer.readJuteInt(),
                password: try buffer.readJuteBuffer() ?? [])
        case 2:
            self = .closeSession(id: try buffer.readJuteLong())
        case 3:
            self = .create(
                path: try buffer.readJuteNonNullString(), data: try buffer.readJuteBuffer(),
                acl: try buffer.readJuteACLs(),
                mode: CreateMode(rawValue: try buffer.readJuteInt()), owner: try buffer.readJuteLong(),
                ttl: try buffer.readJuteLong())
        case 4:
            self = .delete(path: try buffer.readJuteNonNullString())
        case 5:
            self = .setData(path: try buffer.readJuteNonNullString(), data: try buffer.readJuteBuffer())
        case 6:
            self = .setACL(path: try buffer.readJuteNonNullString(), acl: try buffer.readJuteACLs())
        case 7:
            self = .error
        case 8:
            let count = try buffer.readJuteInt()
            guard count >= 0, Int(count) <= buffer.readableBytes / 4 else {
                throw JuteError(.invalidLength, "multi of \(count) transactions")
            }
            var transactions: [Transaction] = []
            for _ in 0..<count { transactions.append(try Transaction(from: &buffer)) }
            self = .multi(transactions)
        case let tag:
            throw JuteError(.invalidValue, "transaction type \(tag)")
        }
    }
}

/// One log record: a transaction with its zxid and time.
struct JournalEntry: Hashable, Sendable {
    var zxid: Int64
    var time: Int64
    var transaction: Transaction
}

/// CRC-32 (IEEE), guarding every log record and snapshot against torn or corrupted bytes.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 != 0 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func checksum(_ bytes: ByteBufferView) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
