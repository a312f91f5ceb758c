import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The transaction log being written. Its records go into space already filled with zeros and
/// synced, so syncing them changes none of the file's metadata: `fdatasync` then writes the
/// records alone, without the file system's journal commit, which waits for whatever else is
/// being written back (a snapshot of a large tree, written meanwhile, is hundreds of megabytes).
/// Apache ZooKeeper preallocates its logs too (`FilePadding`, 64 MB), as sparse files; readers
/// take the zeros after the last record as the end of the log (``TxnLogFile``).
///
/// Used by one thread at a time.
struct LogFileWriter {
    let path: String
    private let descriptor: Int32
    /// The length of the header and the records written.
    private(set) var end: Int
    /// The length of the file: zeros from `end` on.
    private var zeroed: Int

    /// The least space a log is given, and the most it grows by at once.
    static let minimumPreallocation = 64 << 10
    static let maximumGrowth = 64 << 20

    private static let zeros = [UInt8](repeating: 0, count: 64 << 10)

    /// Creates the log at `path` with its header and `preallocating` bytes of zeros, on disk when
    /// this returns (its directory entry is the caller's to sync).
    init(path: String, preallocating: Int) throws {
        self.path = path
        descriptor = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw DataDirectoryError(description: "cannot create \(path)") }
        end = 0
        zeroed = 0
        do {
            try fillWithZeros(upTo: max(preallocating, Self.minimumPreallocation))
            try write(TxnLogFile.encodedHeader())
            try sync()
        } catch {
            Glibc.close(descriptor)
            throw error
        }
    }

    /// Appends records after the last ones, first filling more of the file with zeros when they
    /// do not fit: as much again as the file holds, from 64 KB to 64 MB at a time.
    mutating func write(_ buffer: ByteBuffer) throws {
        let needed = end + buffer.readableBytes
        if needed > zeroed {
            try fillWithZeros(
                upTo: max(needed, zeroed + min(max(zeroed, Self.minimumPreallocation), Self.maximumGrowth)))
        }
        try buffer.withUnsafeReadableBytes { try pwriteAll($0, at: end) }
        end = needed
    }

    /// Puts what was written on disk.
    func sync() throws {
        guard fdatasync(descriptor) == 0 else {
            throw DataDirectoryError(description: "fsync of \(path) failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Cuts the zeros after the last record off and closes the file.
    func close() {
        _ = ftruncate(descriptor, off_t(end))
        Glibc.close(descriptor)
    }

    private mutating func fillWithZeros(upTo length: Int) throws {
        let length = (length + 4095) & ~4095
        while zeroed < length {
            let count = min(Self.zeros.count, length - zeroed)
            try Self.zeros.withUnsafeBytes { try pwriteAll(UnsafeRawBufferPointer(rebasing: $0[..<count]), at: zeroed) }
            zeroed += count
        }
    }

    private func pwriteAll(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let written = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            guard written > 0 else {
                throw DataDirectoryError(description: "write to \(path) failed: \(String(cString: strerror(errno)))")
            }
            done += written
        }
    }
}
