import NIOCore
import ZooKeeperProtocol

/// The header every file of Apache ZooKeeper's data directory begins with (`FileHeader`): a magic
/// number naming the kind of file, the format version (2) and the database id.
public struct DataFileHeader: Hashable, Sendable {
    /// The magic number of transaction logs, "ZKLG".
    public static let logMagic: Int32 = 0x5A4B_4C47
    /// The magic number of snapshots, "ZKSN".
    public static let snapshotMagic: Int32 = 0x5A4B_534E
    /// The format version Apache ZooKeeper 3.4 to 3.9 write and read.
    public static let currentVersion: Int32 = 2
    /// The encoded length: int, int, long.
    public static let length = 16

    public var magic: Int32
    public var version: Int32
    /// The database id; Apache ZooKeeper writes 0 and does not check it.
    public var dbid: Int64

    public init(magic: Int32, version: Int32 = DataFileHeader.currentVersion, dbid: Int64 = 0) {
        self.magic = magic
        self.version = version
        self.dbid = dbid
    }

    /// Reads a header and checks that it is the kind expected and a version this reader knows.
    init(from buffer: inout ByteBuffer, expecting magic: Int32, file: String) throws(DataFileError) {
        guard buffer.readableBytes >= Self.length else {
            throw DataFileError(file, "too short to be a ZooKeeper \(Self.kind(magic)) (\(buffer.readableBytes) bytes)")
        }
        self.magic = buffer.readInteger(as: Int32.self)!
        version = buffer.readInteger(as: Int32.self)!
        dbid = buffer.readInteger(as: Int64.self)!
        guard self.magic == magic else {
            throw DataFileError(file, "not a ZooKeeper \(Self.kind(magic)) (magic number \(Self.hex(self.magic)))")
        }
        guard version == Self.currentVersion else {
            throw DataFileError(
                file, "\(Self.kind(magic)) format version \(version) is not supported (only \(Self.currentVersion))")
        }
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteInt(magic)
        buffer.writeJuteInt(version)
        buffer.writeJuteLong(dbid)
    }

    private static func kind(_ magic: Int32) -> String {
        magic == logMagic ? "transaction log" : "snapshot"
    }

    private static func hex(_ value: Int32) -> String {
        "0x" + String(UInt32(bitPattern: value), radix: 16)
    }
}

/// A file of a data directory cannot be read: truncated, corrupt, of another kind or of a newer
/// format. The description is one line naming the file and the problem.
public struct DataFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file concerned, as given.
    public var file: String
    /// What is wrong with it.
    public var problem: String

    public init(_ file: String, _ problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { file.isEmpty ? problem : "\(file): \(problem)" }
}
