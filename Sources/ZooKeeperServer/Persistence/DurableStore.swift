import Dispatch
import NIOConcurrencyHelpers
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

/// The data directory, in Apache ZooKeeper 3.8's layout and formats: `version-2/log.<zxid>`
/// transaction logs and `version-2/snapshot.<zxid>` snapshots (see ``TxnLogFile`` and
/// ``SnapshotFile``), with `acceptedEpoch` and `currentEpoch` beside them. Apache ZooKeeper can
/// start on a directory this store wrote, and the store on one Apache ZooKeeper wrote.
///
/// Writes and fsyncs run on one thread of their own, in submission order, so the event loop never
/// blocks on the disk; snapshots are encoded and written on another, so that the log does not
/// wait for them either. Each start writes a new log, named after its first zxid, as Apache
/// ZooKeeper does.
final class DurableStore: @unchecked Sendable {
    struct Recovered {
        /// The newest valid snapshot's tree and sessions.
        var snapshot: (tree: DataTree, sessions: [(id: Int64, timeout: Int32)])?
        /// The zxid the snapshot's name carries.
        var snapshotZxid: Int64
        /// The logged transactions after the snapshot, in order.
        var records: [TxnLogRecord]
        /// A torn tail that was cut off the newest log, if any.
        var truncatedBytes: Int
        /// Newer snapshots passed over because they were damaged.
        var skippedSnapshots: [DataFileError]
        /// Files a write cut short left (`snapshot.<zxid>.tmp`), removed.
        var removedTemporaryFiles: [String]
    }

    /// A snapshot to write: the tree and sessions at `zxid` (the tree is a value: the server
    /// goes on changing its own), and the promise to complete once it is on disk.
    struct PendingSnapshot: Sendable {
        var tree: DataTree.Contents
        var sessions: [(id: Int64, timeout: Int32)]
        var zxid: Int64
        var written: EventLoopPromise<Void>
    }

    /// The `version-2` directory holding the files.
    let directory: String
    private let compression: SnapshotCompression
    private let thread: NIOThreadPool
    /// Encodes and writes snapshots, one at a time.
    private let snapshotThread: NIOThreadPool
    /// Confined to `thread` after `open`; -1 until the first write of a new log.
    private var logDescriptor: Int32 = -1

    private init(directory: String, compression: SnapshotCompression) {
        self.directory = directory
        self.compression = compression
        thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        snapshotThread = NIOThreadPool(numberOfThreads: 1)
        snapshotThread.start()
    }

    /// Opens (creating if need be) a data directory and recovers its state.
    static func open(directory dataDirectory: String, compression: SnapshotCompression = .none) throws -> (
        DurableStore, Recovered
    ) {
        mkdir(dataDirectory, 0o755)
        guard DataDirectory.isDirectory(dataDirectory) else {
            throw DataDirectoryError(description: "data directory \(dataDirectory) is not a directory")
        }
        try refuseEarlierFormat(dataDirectory)
        mkdir(dataDirectory + "/" + DataDirectory.versionDirectory, 0o755)
        let files: DataDirectory
        do {
            files = try DataDirectory(dataDirectory, allowEmpty: true)
        } catch {
            throw DataDirectoryError(description: "\(error)")
        }
        let removed = removeTemporaryFiles(in: files.path)
        let store = DurableStore(directory: files.path, compression: compression)
        // The logs the newest snapshot needs are read and parsed on a thread of their own while
        // the snapshot is read (older ones, should it be damaged, afterwards). It yields to the
        // two threads reading the snapshot, which are the longer part: it uses what they leave.
        let parsedAhead = NIOLockedValueBox<[String: Result<ParsedLog, DataDirectoryError>]>([:])
        let parsed = DispatchSemaphore(value: 0)
        let ahead = files.logs[logsNeeded(files.logs, after: files.snapshots.last?.zxid ?? 0)...]
        let parser = NIOThreadPool(numberOfThreads: 1)
        parser.start()
        parser.submit { _ in
            #if os(Linux)
                // The calling thread's priority alone, on Linux.
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
            #endif
            for file in ahead {
                let log = parse(file)
                parsedAhead.withLockedValue { $0[file.path] = log }
            }
            parsed.signal()
        }
        let (found, skipped) = files.newestValidSnapshot(read: SnapshotRestore.read)
        parsed.wait()
        try? parser.syncShutdownGracefully()
        let snapshotZxid = found?.file.zxid ?? 0
        let (records, truncated) = try records(
            in: files.logs[logsNeeded(files.logs, after: snapshotZxid)...], after: snapshotZxid,
            parsed: parsedAhead.withLockedValue { parsed in
                // Taken out, so that the records are moved rather than copied.
                defer { parsed = [:] }
                return parsed
            })
        for (previous, next) in zip(records, records.dropFirst()) where next.zxid <= previous.zxid {
            throw DataDirectoryError(description: "the logs are out of order at zxid \(next.zxid)")
        }
        let lastZxid = records.last?.zxid ?? snapshotZxid
        try store.writeEpochs(lastZxid >> 32)
        return (
            store,
            Recovered(
                snapshot: found?.snapshot, snapshotZxid: snapshotZxid, records: records, truncatedBytes: truncated,
                skippedSnapshots: skipped, removedTemporaryFiles: removed)
        )
    }

    /// A log file read and parsed: too short for a header (its length, and the error it is
    /// unless it is the newest log), or its records, how they end, and the file's length.
    private enum ParsedLog: Sendable {
        case short(Int, DataDirectoryError)
        case log([TxnLogRecord], end: TxnLogFile.End, goodLength: Int, length: Int)
    }

    private static func parse(_ file: DataDirectory.File) -> Result<ParsedLog, DataDirectoryError> {
        let bytes: ByteBuffer
        do {
            bytes = try read(file.path)
        } catch {
            return .failure(error)
        }
        do {
            let log = try TxnLogFile(bytes: bytes, file: file.path)
            return .success(
                .log(log.records.map(\.record), end: log.end, goodLength: log.goodLength, length: bytes.readableBytes))
        } catch {
            let refused = DataDirectoryError(description: "\(error); refusing to start")
            return bytes.readableBytes < DataFileHeader.length
                ? .success(.short(bytes.readableBytes, refused)) : .failure(refused)
        }
    }

    /// The records after `snapshotZxid` in `logs` (those already parsed taken from `parsed`),
    /// in order, and the length of a torn tail cut off the newest; the newest is removed when
    /// nothing was logged in it.
    private static func records(
        in logs: ArraySlice<DataDirectory.File>, after snapshotZxid: Int64,
        parsed: consuming [String: Result<ParsedLog, DataDirectoryError>]
    ) throws -> (records: [TxnLogRecord], truncated: Int) {
        var records: [TxnLogRecord] = []
        var truncated = 0
        for file in logs {
            let isNewest = file == logs.last
            switch parsed.removeValue(forKey: file.path) ?? parse(file) {
            case .success(.short(let length, _)) where isNewest:
                // Created but never written: nothing was logged in it.
                truncated = length
                unlink(file.path)
            case .success(.short(_, let error)):
                throw error
            case .success(.log(var logged, let end, let goodLength, let length)):
                switch end {
                case .clean:
                    break
                case .torn(let offset, _), .corrupt(let offset, _):
                    guard isNewest else {
                        throw DataDirectoryError(
                            description:
                                "\(file.name) is damaged at byte \(offset) and newer logs follow; refusing to start"
                        )
                    }
                    truncated = length - goodLength
                    guard truncate(file.path, off_t(goodLength)) == 0 else {
                        throw DataDirectoryError(description: "cannot truncate the torn tail of \(file.name)")
                    }
                }
                if isNewest && logged.isEmpty {
                    // Its header written, then nothing (a crash): a log named after a zxid never
                    // logged would mislead Apache ZooKeeper's last logged zxid.
                    unlink(file.path)
                    continue
                }
                // The records the snapshot holds come first.
                logged.removeFirst(logged.firstIndex { $0.zxid > snapshotZxid } ?? logged.count)
                if records.isEmpty { records = logged } else { records += logged }
            case .failure(let error):
                throw error
            }
        }
        return (records, truncated)
    }

    /// Where the logs that may hold transactions after a snapshot at `zxid` begin among `logs`:
    /// those that start after it and the last one that starts at or before it
    /// (`FileTxnLog.getLogFiles`).
    private static func logsNeeded(_ logs: [DataDirectory.File], after zxid: Int64) -> Int {
        logs.lastIndex { $0.zxid <= zxid } ?? 0
    }

    /// Appends log records (the first with zxid `firstZxid`) and fsyncs; when `snapshot` is
    /// given (at the zxid of the last record), the next records go to a new log and the snapshot
    /// is written meanwhile, so that the snapshot and the logs after it together hold every
    /// transaction. The future completes once the records are on disk, without waiting for the
    /// snapshot (its promise tells when that is).
    func commit(
        _ records: ByteBuffer, firstZxid: Int64, snapshot: PendingSnapshot?, on loop: any EventLoop
    ) -> EventLoopFuture<Void> {
        thread.runIfActive(eventLoop: loop) {
            if self.logDescriptor < 0 { try self.startLog(firstZxid: firstZxid) }
            try self.write(records, to: self.logDescriptor)
            guard fsync(self.logDescriptor) == 0 else {
                throw DataDirectoryError(description: "fsync of the transaction log failed: \(Self.lastError())")
            }
            if let snapshot {
                Glibc.close(self.logDescriptor)
                self.logDescriptor = -1
                self.snapshotThread.runIfActive(eventLoop: loop) {
                    try self.writeSnapshot(tree: snapshot.tree, sessions: snapshot.sessions, zxid: snapshot.zxid)
                }.cascade(to: snapshot.written)
            }
        }.flatMapError { error in
            snapshot?.written.fail(error)
            return loop.makeFailedFuture(error)
        }
    }

    /// Writes a snapshot now, before anything is logged: Apache ZooKeeper refuses to start on
    /// logs without a snapshot (`zookeeper.snapshot.trust.empty`), and writes one when it starts.
    func writeInitialSnapshot(tree: DataTree.Contents, sessions: [(id: Int64, timeout: Int32)], zxid: Int64) throws {
        try writeSnapshot(tree: tree, sessions: sessions, zxid: zxid)
    }

    /// Closes the log once the work queued has run, the snapshot being written included.
    func close() async {
        try? await thread.shutdownGracefully()
        try? await snapshotThread.shutdownGracefully()
        if logDescriptor >= 0 { Glibc.close(logDescriptor) }
    }

    // MARK: Files

    private func path(_ name: String) -> String { directory + "/" + name }

    /// A directory that zk serve wrote in its earlier format (files at the top, no version-2)
    /// is refused rather than read as empty.
    private static func refuseEarlierFormat(_ dataDirectory: String) throws {
        guard !DataDirectory.isDirectory(dataDirectory + "/" + DataDirectory.versionDirectory),
            let names = try? DataDirectory.list(dataDirectory)
        else { return }
        for name in names
        where DataDirectory.zxid(in: name, prefix: "log") != nil
            || DataDirectory.zxid(in: name, prefix: "snapshot") != nil
        {
            throw DataDirectoryError(
                description:
                    "data directory \(dataDirectory) holds \(name) at its top level: the format of zk serve before it kept Apache ZooKeeper's (version-2), which it cannot read; move those files away"
            )
        }
    }

    /// Removes what an interrupted ``writeAtomically(name:_:)`` left (a snapshot or an epoch
    /// file with `.tmp` after its name), which nothing reads: a snapshot's is as large as the tree.
    private static func removeTemporaryFiles(in directory: String) -> [String] {
        let names = ((try? DataDirectory.list(directory)) ?? []).filter { name in
            guard name.hasSuffix(".tmp") else { return false }
            let stem = String(name.dropLast(4))
            return DataDirectory.zxid(in: stem, prefix: "snapshot") != nil
                || Self.epochFiles.contains(stem)
        }
        return names.filter { unlink(directory + "/" + $0) == 0 }
    }

    private static func read(_ path: String) throws(DataDirectoryError) -> ByteBuffer {
        do {
            return try DataDirectory.readFile(path)
        } catch {
            throw DataDirectoryError(description: "cannot read \(error)")
        }
    }

    /// Creates `log.<firstZxid>` and writes its header.
    private func startLog(firstZxid: Int64) throws {
        let name = TxnLogFile.fileName(firstZxid: firstZxid)
        logDescriptor = Glibc.open(path(name), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o644)
        guard logDescriptor >= 0 else { throw DataDirectoryError(description: "cannot create \(path(name))") }
        try write(TxnLogFile.encodedHeader(), to: logDescriptor)
        try syncDirectory()
    }

    private func write(_ buffer: ByteBuffer, to descriptor: Int32) throws {
        var remaining = buffer.readableBytesView[...]
        while !remaining.isEmpty {
            let written = remaining.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { throw DataDirectoryError(description: "write failed: \(Self.lastError())") }
            remaining = remaining.dropFirst(written)
        }
    }

    /// Writes a file through a temporary one, which `fill` writes to (given its descriptor),
    /// fsynced and renamed into place.
    private func writeAtomically(name: String, _ fill: (Int32) throws -> Void) throws {
        let temporary = path(name + ".tmp")
        let descriptor = Glibc.open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw DataDirectoryError(description: "cannot write \(temporary)") }
        defer { Glibc.close(descriptor) }
        try fill(descriptor)
        guard fsync(descriptor) == 0, rename(temporary, path(name)) == 0 else {
            throw DataDirectoryError(description: "cannot write \(path(name)): \(Self.lastError())")
        }
        try syncDirectory()
    }

    /// Writes a snapshot of `tree` and `sessions`: uncompressed, piece by piece as it is encoded;
    /// compressed, whole (the compressors take the whole file).
    private func writeSnapshot(tree: DataTree.Contents, sessions: [(id: Int64, timeout: Int32)], zxid: Int64) throws {
        let name = SnapshotFile.fileName(zxid: zxid, compression: compression)
        try writeAtomically(name: name) { descriptor in
            if compression == .none {
                try SnapshotFile.encode(tree: tree, sessions: sessions) { try write($0, to: descriptor) }
            } else {
                var whole = ByteBuffer()
                SnapshotFile.encode(tree: tree, sessions: sessions) { whole.writeImmutableBuffer($0) }
                try write(compression.compress(whole), to: descriptor)
            }
        }
        try removeFilesBefore(snapshotZxid: zxid)
    }

    /// The files holding the epoch, as a quorum member of Apache ZooKeeper keeps them.
    private static let epochFiles = ["acceptedEpoch", "currentEpoch"]

    /// `acceptedEpoch` and `currentEpoch`, as a quorum member of Apache ZooKeeper keeps them
    /// (the epoch in decimal), unless they already say so.
    private func writeEpochs(_ epoch: Int64) throws {
        for name in Self.epochFiles {
            if let bytes = try? DataDirectory.readFile(path(name)),
                let value = Int64(String(decoding: bytes.readableBytesView, as: UTF8.self)), value >= epoch
            {
                continue
            }
            try writeAtomically(name: name) { try write(ByteBuffer(string: String(epoch)), to: $0) }
        }
    }

    /// Keeps this snapshot and the one before it, with the logs the older one still needs.
    private func removeFilesBefore(snapshotZxid zxid: Int64) throws {
        let files: DataDirectory
        do {
            files = try DataDirectory(directory, allowEmpty: true)
        } catch {
            throw DataDirectoryError(description: "\(error)")
        }
        let older = files.snapshots.map(\.zxid).filter { $0 < zxid }
        guard let previous = older.max() else { return }
        for snapshot in files.snapshots where snapshot.zxid < previous { unlink(snapshot.path) }
        let logs = files.logs
        for (index, log) in logs.enumerated() {
            // A log is covered by the previous snapshot when the next log starts at or before it.
            if index + 1 < logs.count, logs[index + 1].zxid <= previous + 1 { unlink(log.path) }
        }
    }

    /// The last system call's error, in words ("no space left on device").
    private static func lastError() -> String {
        let words = String(cString: strerror(errno))
        return words.prefix(1).lowercased() + words.dropFirst()
    }

    private func syncDirectory() throws {
        let descriptor = Glibc.open(directory, O_RDONLY)
        guard descriptor >= 0 else { throw DataDirectoryError(description: "cannot open \(directory)") }
        defer { Glibc.close(descriptor) }
        fsync(descriptor)
    }
}
