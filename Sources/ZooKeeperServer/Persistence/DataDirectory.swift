import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The files of an Apache ZooKeeper data directory: `version-2/log.<zxid>` transaction logs and
/// `version-2/snapshot.<zxid>[.gz|.snappy]` snapshots, found by name as Apache ZooKeeper finds them
/// (`Util.getZxidFromName`, `FileTxnLog.getLogFiles`, `FileSnap.findNValidSnapshots`).
public struct DataDirectory: Sendable {
    /// A log or snapshot file with the zxid its name carries.
    public struct File: Hashable, Sendable {
        public var path: String
        /// The zxid in the name; -1 for a file named otherwise.
        public var zxid: Int64
        public var name: String { String(path.split(separator: "/").last ?? "") }

        public init(path: String, zxid: Int64) {
            self.path = path
            self.zxid = zxid
        }
    }

    /// The directory holding the files: `version-2` under what was given, or what was given
    /// when the files are right there.
    public let path: String
    /// The logs, oldest first.
    public let logs: [File]
    /// The snapshots, oldest first.
    public let snapshots: [File]

    /// The subdirectory Apache ZooKeeper keeps its files in (`FileTxnSnapLog.VERSION`).
    public static let versionDirectory = "version-2"

    /// Lists a data directory: `path` may be the `dataDir` of a `zoo.cfg` or its `version-2`.
    /// Throws when it is not a directory or holds neither logs nor snapshots, unless `allowEmpty`.
    public init(_ path: String, allowEmpty: Bool = false) throws(DataFileError) {
        guard Self.isDirectory(path) else {
            throw DataFileError(path, Self.exists(path) ? "not a directory" : "no such directory")
        }
        let nested = path + "/" + Self.versionDirectory
        let names: [String]
        if Self.isDirectory(nested) {
            self.path = nested
            names = try Self.list(nested)
        } else {
            let here = try Self.list(path)
            guard
                allowEmpty
                    || here.contains(where: {
                        Self.zxid(in: $0, prefix: "log") != nil || Self.zxid(in: $0, prefix: "snapshot") != nil
                    })
            else {
                throw DataFileError(path, "not a ZooKeeper data directory (no version-2, no logs, no snapshots)")
            }
            self.path = path
            names = here
        }
        let base = self.path
        logs = names.compactMap { name in
            Self.zxid(in: name, prefix: "log").map { File(path: base + "/" + name, zxid: $0) }
        }.sorted { $0.zxid < $1.zxid }
        snapshots = names.compactMap { name in
            Self.zxid(in: name, prefix: "snapshot").map { File(path: base + "/" + name, zxid: $0) }
        }.sorted { ($0.zxid, $0.path) < ($1.zxid, $1.path) }
        guard allowEmpty || !logs.isEmpty || !snapshots.isEmpty else {
            throw DataFileError(self.path, "not a ZooKeeper data directory (no logs, no snapshots)")
        }
    }

    /// The zxid in a file name `prefix.<hex>[.extension]`, nil for other names.
    public static func zxid(in name: String, prefix: String) -> Int64? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] == prefix, !parts[1].isEmpty, parts[1].count <= 16,
            let value = UInt64(parts[1], radix: 16)
        else { return nil }
        if prefix == "log" && parts.count != 2 { return nil }
        if prefix == "snapshot" && parts.count > 2 && !(parts.count == 3 && ["gz", "snappy"].contains(parts[2])) {
            return nil
        }
        return Int64(bitPattern: value)
    }

    /// The snapshot files newest first, each read and checked in turn: the newest good one, or
    /// nil when there is none; the problems of the newer damaged ones.
    public func newestValidSnapshot() -> (found: (file: File, snapshot: SnapshotFile)?, skipped: [DataFileError]) {
        newestValidSnapshot(read: Self.readSnapshot)
    }

    /// ``newestValidSnapshot()``, each file read by `read`.
    func newestValidSnapshot<Read>(read: (String) throws(DataFileError) -> Read) -> (
        found: (file: File, snapshot: Read)?, skipped: [DataFileError]
    ) {
        var skipped: [DataFileError] = []
        for file in snapshots.reversed() {
            do {
                return ((file, try read(file.path)), skipped)
            } catch {
                skipped.append(error)
            }
        }
        return (nil, skipped)
    }

    /// Reads a snapshot file, uncompressing it as its name says.
    public static func readSnapshot(_ path: String) throws(DataFileError) -> SnapshotFile {
        let bytes = try readFile(path)
        let plain = try SnapshotCompression(fileName: path).decompress(bytes, file: path)
        return try SnapshotFile(bytes: plain, file: path)
    }

    /// Reads a transaction log file.
    public static func readLog(_ path: String) throws(DataFileError) -> TxnLogFile {
        try TxnLogFile(bytes: try readFile(path), file: path)
    }

    /// A whole file's bytes.
    public static func readFile(_ path: String) throws(DataFileError) -> ByteBuffer {
        try withRegularFile(path) { descriptor, size throws(DataFileError) in
            var buffer = ByteBuffer()
            buffer.reserveCapacity(size)
            try readAll(descriptor, into: &buffer, path: path)
            return buffer
        }
    }

    /// Opens a regular file for reading and lends `body` its descriptor and size.
    private static func withRegularFile<Result>(
        _ path: String, _ body: (CInt, Int) throws(DataFileError) -> Result
    ) throws(DataFileError) -> Result {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw DataFileError(path, String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw DataFileError(path, String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw DataFileError(path, "not a regular file") }
        return try body(descriptor, Int(info.st_size))
    }

    /// Reads from `descriptor` to its end into `buffer`.
    private static func readAll(_ descriptor: CInt, into buffer: inout ByteBuffer, path: String) throws(DataFileError) {
        while true {
            buffer.reserveCapacity(minimumWritableBytes: 1 << 16)
            let count = buffer.withUnsafeMutableWritableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count >= 0 else { throw DataFileError(path, String(cString: strerror(errno))) }
            if count == 0 { break }
            buffer.moveWriterIndex(forwardBy: count)
        }
    }

    /// Lends a whole file's bytes to `body` where the system maps them (no copy is made, and
    /// pages are read as `body` comes to them). The file must not shrink meanwhile: no file of
    /// a data directory changes once written.
    static func withMappedFile<Result>(
        _ path: String, _ body: (UnsafeRawBufferPointer) throws(DataFileError) -> Result
    ) throws(DataFileError) -> Result {
        try withRegularFile(path) { descriptor, size throws(DataFileError) in
            guard size > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
            guard let start = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0),
                start != UnsafeMutableRawPointer(bitPattern: -1)
            else { throw DataFileError(path, String(cString: strerror(errno))) }
            defer { munmap(start, size) }
            madvise(start, size, MADV_SEQUENTIAL)
            return try body(UnsafeRawBufferPointer(start: start, count: size))
        }
    }

    /// Whether `path` names a directory (following symbolic links).
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// The names in a directory ("." and ".." included).
    static func list(_ path: String) throws(DataFileError) -> [String] {
        guard let handle = opendir(path) else { throw DataFileError(path, String(cString: strerror(errno))) }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            names.append(
                withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) })
        }
        return names
    }
}
