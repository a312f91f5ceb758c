import NIOCore
import ZooKeeperProtocol

/// One record of a transaction log: Apache ZooKeeper's `TxnHeader`, the transaction and, when the
/// server keeps digests (3.6 and later), the tree digest after it (`TxnDigest`).
public struct TxnLogRecord: Hashable, Sendable {
    /// The session that sent the request (0 for the server's own, such as container deletions).
    public var session: Int64
    /// The request's xid in its session.
    public var cxid: Int32
    public var zxid: Int64
    /// When the leader took the request, milliseconds since the epoch.
    public var time: Int64
    public var transaction: LoggedTransaction
    /// The digest version and the tree's digest after the transaction, if logged.
    public var digest: (version: Int32, treeDigest: Int64)? {
        get { digestVersion.map { ($0, treeDigest) } }
        set {
            digestVersion = newValue?.version
            treeDigest = newValue?.treeDigest ?? 0
        }
    }
    private var digestVersion: Int32?
    private var treeDigest: Int64 = 0

    public init(
        session: Int64, cxid: Int32, zxid: Int64, time: Int64, transaction: LoggedTransaction,
        digest: (version: Int32, treeDigest: Int64)? = nil
    ) {
        self.session = session
        self.cxid = cxid
        self.zxid = zxid
        self.time = time
        self.transaction = transaction
        self.digest = digest
    }

    /// The record's bytes as checksummed: header, transaction, digest.
    public func encodedPayload() -> ByteBuffer {
        var payload = ByteBuffer()
        payload.writeJuteLong(session)
        payload.writeJuteInt(cxid)
        payload.writeJuteLong(zxid)
        payload.writeJuteLong(time)
        payload.writeJuteInt(transaction.type.rawValue)
        transaction.encode(into: &payload)
        if let digest {
            payload.writeJuteInt(digest.version)
            payload.writeJuteLong(digest.treeDigest)
        }
        return payload
    }

    /// Appends the record as a log holds it: Adler-32 checksum (a long), length, payload, 'B'.
    public func encode(into buffer: inout ByteBuffer) {
        var payload = encodedPayload()
        buffer.writeJuteLong(Int64(Adler32.checksum(payload.readableBytesView)))
        buffer.writeJuteInt(Int32(payload.readableBytes))
        buffer.writeBuffer(&payload)
        buffer.writeInteger(TxnLogFile.endOfRecord)
    }

    /// Reads a record's payload (`SerializeUtils.deserializeTxn`).
    public init(payload: ByteBuffer) throws(JuteError) {
        var payload = payload
        session = try payload.readJuteLong()
        cxid = try payload.readJuteInt()
        zxid = try payload.readJuteLong()
        time = try payload.readJuteLong()
        let type = OpCode(rawValue: try payload.readJuteInt())
        // The digest, when present, is the last 12 bytes; a transaction's record never ends
        // where the payload does not, so read the record from what precedes them first.
        if payload.readableBytes >= 12,
            var record = payload.getSlice(at: payload.readerIndex, length: payload.readableBytes - 12),
            let transaction = try? LoggedTransaction(type: type, from: &record), record.readableBytes == 0
        {
            self.transaction = transaction
            payload.moveReaderIndex(forwardBy: payload.readableBytes - 12)
            digestVersion = try payload.readJuteInt()
            treeDigest = try payload.readJuteLong()
            return
        }
        transaction = try LoggedTransaction(type: type, from: &payload)
        guard payload.readableBytes == 0 else {
            throw JuteError(.trailingBytes, "\(payload.readableBytes) bytes after a \(type) transaction")
        }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.session == rhs.session && lhs.cxid == rhs.cxid && lhs.zxid == rhs.zxid && lhs.time == rhs.time
            && lhs.transaction == rhs.transaction && lhs.digestVersion == rhs.digestVersion
            && lhs.treeDigest == rhs.treeDigest
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(zxid)
        hasher.combine(transaction)
    }
}

/// A transaction log file, `version-2/log.<zxid of its first record>`: a header, then records
/// until the end of the file or the zeros Apache ZooKeeper preallocates files with.
public struct TxnLogFile: Sendable {
    /// The byte after every record, 'B'.
    public static let endOfRecord: UInt8 = 0x42

    /// How the readable part of a log ended.
    public enum End: Hashable, Sendable {
        /// At the end of the file or at preallocated zeros: nothing is wrong.
        case clean
        /// A record cut short (a crash while writing): the file is good up to `offset`.
        case torn(offset: Int, reason: String)
        /// A whole record whose checksum or content is wrong: damage, not a crash.
        case corrupt(offset: Int, reason: String)
    }

    public var header: DataFileHeader
    /// The records in file order, each with the offset it starts at.
    public var records: [(offset: Int, record: TxnLogRecord)]
    public var end: End
    /// The length of the part of the file holding the header and the good records.
    public var goodLength: Int

    /// Whether any readable byte of `buffer` past its first `skipped` is not zero, read eight at a
    /// time: the preallocated tail of a log is tens of megabytes of zeros.
    static func hasNonZeroByte(_ buffer: ByteBuffer, after skipped: Int = 0) -> Bool {
        buffer.withUnsafeReadableBytes { raw in
            var index = min(skipped, raw.count)
            while index + 8 <= raw.count {
                if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) != 0 { return true }
                index += 8
            }
            return raw[index...].contains { $0 != 0 }
        }
    }

    /// Reads a log's bytes. Throws when the file is not a log of a known version; a damaged
    /// record ends the records and is reported in ``end``.
    public init(bytes: ByteBuffer, file: String = "") throws(DataFileError) {
        var buffer = bytes
        let start = buffer.readerIndex
        header = try DataFileHeader(from: &buffer, expecting: DataFileHeader.logMagic, file: file)
        records = []
        end = .clean
        goodLength = DataFileHeader.length
        while true {
            let offset = buffer.readerIndex - start
            // A record needs a checksum (8) and a length (4); fewer bytes left is the end of a
            // file whose last write was cut, unless they are all zeros.
            guard buffer.readableBytes >= 12 else {
                if Self.hasNonZeroByte(buffer) {
                    end = .torn(offset: offset, reason: "a record header cut short")
                }
                break
            }
            let checksum = buffer.getInteger(at: buffer.readerIndex, as: Int64.self)!
            let length = buffer.getInteger(at: buffer.readerIndex + 8, as: Int32.self)!
            if length == 0 {
                // Preallocated space: the rest should be zeros.
                if checksum != 0 || Self.hasNonZeroByte(buffer, after: 12) {
                    end = .corrupt(offset: offset, reason: "a record of length 0 followed by data")
                }
                break
            }
            guard length > 0 else {
                end = .corrupt(offset: offset, reason: "a record of negative length \(length)")
                break
            }
            guard buffer.readableBytes >= 12 + Int(length) + 1 else {
                end = .torn(offset: offset, reason: "a record of \(length) bytes cut short")
                break
            }
            let payload = buffer.getSlice(at: buffer.readerIndex + 12, length: Int(length))!
            guard buffer.getInteger(at: buffer.readerIndex + 12 + Int(length), as: UInt8.self) == Self.endOfRecord
            else {
                end = .torn(offset: offset, reason: "a record without its end marker")
                break
            }
            guard UInt32(truncatingIfNeeded: checksum) == Adler32.checksum(payload.readableBytesView),
                checksum >> 32 == 0
            else {
                end = .corrupt(offset: offset, reason: "checksum mismatch")
                break
            }
            do {
                records.append((offset, try TxnLogRecord(payload: payload)))
            } catch {
                end = .corrupt(offset: offset, reason: "unreadable record (\(error))")
                break
            }
            buffer.moveReaderIndex(forwardBy: 12 + Int(length) + 1)
            goodLength = offset + 12 + Int(length) + 1
        }
    }

    /// A log's header, with which a new log file begins.
    public static func encodedHeader(dbid: Int64 = 0) -> ByteBuffer {
        var buffer = ByteBuffer()
        DataFileHeader(magic: DataFileHeader.logMagic, dbid: dbid).encode(into: &buffer)
        return buffer
    }

    /// The file name of a log whose first record has `zxid`: `log.` and the zxid in lowercase
    /// hexadecimal without leading zeros, as Apache ZooKeeper names them.
    public static func fileName(firstZxid zxid: Int64) -> String {
        "log." + String(UInt64(bitPattern: zxid), radix: 16)
    }
}
