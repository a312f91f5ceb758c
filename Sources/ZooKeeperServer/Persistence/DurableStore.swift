import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The data directory cannot be used: unreadable, unwritable, or a log damaged before its end.
public struct DataDirectoryError: Error, CustomStringConvertible {
    public var description: String
}

/// The data directory: transaction logs (`log.<first zxid>`) and snapshots (`snapshot.<zxid>`).
///
/// Log records are `[length][crc32][zxid, time, transaction]`. Writes and fsyncs run on one thread
/// of their own, in submission order, so the event loop never blocks on the disk.
final class DurableStore: @unchecked Sendable {
    struct Recovered {
        var snapshot: Snapshot?
        var entries: [JournalEntry]
        /// A torn tail that was cut off the newest log, if any.
        var truncatedBytes: Int
    }

    let directory: String
    private let thread: NIOThreadPool
    /// Confined to `thread` after `open`.
    private var logDescriptor: Int32 = -1

    private init(directory: String) {
        self.directory = directory
        thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
    }

    /// Opens (creating if need be) a data directory and recovers its state.
    static func open(directory: String) throws -> (DurableStore, Recovered) {
        mkdir(directory, 0o755)
        var info = stat()
        guard stat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw DataDirectoryError(description: "data directory \(directory) is not a directory")
        }
        let store = DurableStore(directory: directory)
        let files = try store.list()
        var snapshot: Snapshot?
        for (zxid, name) in files.snapshots.sorted(by: { $0.0 > $1.0 }) {
            if let loaded = Snapshot(file: try store.read(name)), loaded.lastZxid == zxid {
                snapshot = loaded
                break
            }
        }
        var entries: [JournalEntry] = []
        var truncated = 0
        let logs = files.logs.sorted { $0.0 < $1.0 }
        for (index, (_, name)) in logs.enumerated() {
            let (read, goodLength, total) = try store.readLog(name)
            if goodLength < total {
                guard index == logs.count - 1 else {
                    throw DataDirectoryError(
                        description: "\(name) is damaged at byte \(goodLength) and newer logs follow; refusing to start"
                    )
                }
                truncated = total - goodLength
                guard truncate(store.path(name), off_t(goodLength)) == 0 else {
                    throw DataDirectoryError(description: "cannot truncate the torn tail of \(name)")
                }
            }
            entries += read
        }
        let after = snapshot?.lastZxid ?? 0
        entries = entries.filter { $0.zxid > after }
        for (previous, next) in zip(entries, entries.dropFirst()) where next.zxid <= previous.zxid {
            throw DataDirectoryError(description: "the logs are out of order at zxid \(next.zxid)")
        }
        let lastZxid = entries.last?.zxid ?? after
        try store.openLog(startingAt: lastZxid + 1)
        return (store, Recovered(snapshot: snapshot, entries: entries, truncatedBytes: truncated))
    }

    /// Appends records and fsyncs; when `snapshot` is given, then switches to a new log and writes
    /// the snapshot, so that the snapshot and the logs after it together hold every transaction.
    func commit(_ records: ByteBuffer, snapshot: (bytes: ByteBuffer, zxid: Int64)?, on loop: any EventLoop)
        -> EventLoopFuture<Void>
    {
        thread.runIfActive(eventLoop: loop) {
            try self.write(records, to: self.logDescriptor)
            guard fsync(self.logDescriptor) == 0 else {
                throw DataDirectoryError(description: "fsync failed: \(errno)")
            }
            if let snapshot {
                try self.openLog(startingAt: snapshot.zxid + 1)
                try self.writeSnapshot(snapshot.bytes, zxid: snapshot.zxid)
            }
        }
    }

    func close() {
        try? thread.syncShutdownGracefully()
        if logDescriptor >= 0 { Glibc.close(logDescriptor) }
    }

    // MARK: Files

    private func path(_ name: String) -> String { directory + "/" + name }

    private static func name(_ prefix: String, _ zxid: Int64) -> String {
        let hex = String(UInt64(bitPattern: zxid), radix: 16)
        return prefix + "." + String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }

    private func list() throws -> (logs: [(Int64, String)], snapshots: [(Int64, String)]) {
        guard let handle = opendir(directory) else { throw DataDirectoryError(description: "cannot read \(directory)") }
        defer { closedir(handle) }
        var logs: [(Int64, String)] = []
        var snapshots: [(Int64, String)] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            let parts = name.split(separator: ".")
            guard parts.count == 2, let zxid = UInt64(parts[1], radix: 16) else { continue }
            if parts[0] == "log" { logs.append((Int64(bitPattern: zxid), name)) }
            if parts[0] == "snapshot" { snapshots.append((Int64(bitPattern: zxid), name)) }
        }
        return (logs, snapshots)
    }

    private func read(_ name: String) throws -> ByteBuffer {
        let descriptor = Glibc.open(path(name), O_RDONLY)
        guard descriptor >= 0 else { throw DataDirectoryError(description: "cannot open \(name)") }
        defer { Glibc.close(descriptor) }
        var buffer = ByteBuffer()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = Glibc.read(descriptor, &chunk, chunk.count)
            guard count >= 0 else { throw DataDirectoryError(description: "cannot read \(name)") }
            if count == 0 { break }
            buffer.writeBytes(chunk[0..<count])
        }
        return buffer
    }

    /// The records of a log up to the first torn or corrupt one, the length they cover, the file length.
    private func readLog(_ name: String) throws -> ([JournalEntry], Int, Int) {
        var buffer = try read(name)
        let total = buffer.readableBytes
        var entries: [JournalEntry] = []
        var good = 0
        while buffer.readableBytes >= 8 {
            let length = Int(buffer.getInteger(at: buffer.readerIndex, as: UInt32.self)!)
            let crc = buffer.getInteger(at: buffer.readerIndex + 4, as: UInt32.self)!
            guard length <= buffer.readableBytes - 8,
                var payload = buffer.getSlice(at: buffer.readerIndex + 8, length: length),
                CRC32.checksum(payload.readableBytesView) == crc
            else { break }
            do {
                let zxid = try payload.readJuteLong()
                let time = try payload.readJuteLong()
                entries.append(JournalEntry(zxid: zxid, time: time, transaction: try Transaction(from: &payload)))
            } catch {
                break
            }
            buffer.moveReaderIndex(forwardBy: 8 + length)
            good += 8 + length
        }
        return (entries, good, total)
    }

    private func openLog(startingAt zxid: Int64) throws {
        if logDescriptor >= 0 { Glibc.close(logDescriptor) }
        logDescriptor = Glibc.open(path(Self.name("log", zxid)), O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard logDescriptor >= 0 else { throw DataDirectoryError(description: "cannot create a log in \(directory)") }
        try syncDirectory()
    }

    private func write(_ buffer: ByteBuffer, to descriptor: Int32) throws {
        var remaining = buffer.readableBytesView[...]
        while !remaining.isEmpty {
            let written = remaining.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { throw DataDirectoryError(description: "write failed: \(errno)") }
            remaining = remaining.dropFirst(written)
        }
    }

    private func writeSnapshot(_ bytes: ByteBuffer, zxid: Int64) throws {
        let temporary = path("snapshot.tmp")
        let descriptor = Glibc.open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw DataDirectoryError(description: "cannot write a snapshot") }
        defer { Glibc.close(descriptor) }
        try write(bytes, to: descriptor)
        guard fsync(descriptor) == 0, rename(temporary, path(Self.name("snapshot", zxid))) == 0 else {
            throw DataDirectoryError(description: "cannot write a snapshot: \(errno)")
        }
        try syncDirectory()
        try removeFilesBefore(snapshotZxid: zxid)
    }

    /// Keeps this snapshot and the one before it, with the logs the older one still needs.
    private func removeFilesBefore(snapshotZxid zxid: Int64) throws {
        let files = try list()
        let older = files.snapshots.map(\.0).filter { $0 < zxid }.sorted()
        guard let previous = older.last else { return }
        for (snapshot, name) in files.snapshots where snapshot < previous { unlink(path(name)) }
        let logs = files.logs.sorted { $0.0 < $1.0 }
        for (index, (_, name)) in logs.enumerated() {
            // A log is covered by the previous snapshot when the next log starts at or before it.
            if index + 1 < logs.count, logs[index + 1].0 <= previous + 1 { unlink(path(name)) }
        }
    }

    private func syncDirectory() throws {
        let descriptor = Glibc.open(directory, O_RDONLY)
        guard descriptor >= 0 else { throw DataDirectoryError(description: "cannot open \(directory)") }
        defer { Glibc.close(descriptor) }
        fsync(descriptor)
    }
}
