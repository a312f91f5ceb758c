import Dispatch
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Reads a snapshot file into a tree on two threads: the caller's reads and checks the file,
/// another builds the tree meanwhile from the nodes read so far, batch by batch. Each half was
/// about half of a restart's time.
enum SnapshotRestore {
    /// The tree and sessions of the snapshot at `path`, uncompressed as its name says; throws if
    /// the file is damaged anywhere (the tree built so far is then dropped). An uncompressed file
    /// is read where the system maps it, not copied (reading 190 MB into memory of the server's
    /// own took a fifth of a restart at a million nodes, before any node could be built).
    static func read(_ path: String) throws(DataFileError) -> (tree: DataTree, sessions: [(id: Int64, timeout: Int32)])
    {
        let compression = SnapshotCompression(fileName: path)
        guard compression == .none else {
            return try tree(from: try compression.decompress(try DataDirectory.readFile(path), file: path), file: path)
        }
        return try DataDirectory.withMappedFile(path) { bytes throws(DataFileError) in
            try tree(from: bytes, file: path)
        }
    }

    /// The tree and sessions of an uncompressed snapshot's bytes; `file` names it in errors.
    static func tree(from plain: ByteBuffer, file path: String = "") throws(DataFileError) -> (
        tree: DataTree, sessions: [(id: Int64, timeout: Int32)]
    ) {
        let result = plain.withUnsafeReadableBytes { bytes in
            Result { () throws(DataFileError) in try tree(from: bytes, file: path) }
        }
        return try result.get()
    }

    /// The tree and sessions of an uncompressed snapshot's bytes, which must stay where they
    /// are until this returns.
    private static func tree(from plain: UnsafeRawBufferPointer, file path: String) throws(DataFileError) -> (
        tree: DataTree, sessions: [(id: Int64, timeout: Int32)]
    ) {
        let handOff = HandOff(limit: 8)
        let built = Built()
        // The builder is done with the bytes before this returns (it is waited for).
        nonisolated(unsafe) let plain = plain
        let builder = NIOThreadPool(numberOfThreads: 1)
        builder.start()
        defer { try? builder.syncShutdownGracefully() }
        builder.submit { _ in
            // Each node takes at least SnapshotFile.smallestNode bytes: no array grows by copying.
            var restoration = DataTree.Restoration(atMost: plain.count / SnapshotFile.smallestNode)
            // The nodes' data is copied from where it lies in the file.
            while var batch = handOff.take() {
                for index in batch.nodes.indices {
                    if index + Self.lookAhead < batch.hashes.count {
                        restoration.prefetch(batch.hashes[index + Self.lookAhead])
                    }
                    let data = batch.nodes[index].data.map { UnsafeRawBufferPointer(rebasing: plain[$0]) }
                    restoration.add(
                        &batch.nodes[index], data: data, parent: batch.parents[index], hashes: batch.hashes[index])
                }
            }
            // A damaged file's tree is dropped: its children are not worth adding. The
            // restoration moves into the tree (a copy would have the tree copy each of its pages
            // of nodes as it links them).
            if !handOff.isCancelled { built.tree = (consume restoration).finish() }
            built.done.signal()
        }
        var batch = Batch()
        let head: SnapshotFile.Head
        do {
            head = try SnapshotFile.read(plain, file: path) { node, parent in
                batch.hashes.append(DataTree.Restoration.PathHashes(node.path))
                batch.nodes.append(node)
                batch.parents.append(parent)
                if batch.nodes.count == Batch.size {
                    handOff.put(batch)
                    batch = Batch()
                }
            }
        } catch {
            handOff.cancel()
            built.done.wait()
            throw error
        }
        handOff.put(batch)
        handOff.finish()
        built.done.wait()
        return (built.tree!, head.sessions)
    }

    /// How many nodes ahead the builder has the processor fetch the index (the nodes of a batch
    /// beyond the first few are then added without waiting on memory).
    private static let lookAhead = 8

    /// Nodes in snapshot order with their parents' places and their paths' hashes.
    struct Batch: Sendable {
        static let size = 1024
        var nodes: [SnapshotFile.NodeInFile] = []
        var parents: [Int32] = []
        var hashes: [DataTree.Restoration.PathHashes] = []

        init() {
            nodes.reserveCapacity(Self.size)
            parents.reserveCapacity(Self.size)
            hashes.reserveCapacity(Self.size)
        }
    }

    /// The builder's tree, set before `done` is signalled and read after it.
    private final class Built: @unchecked Sendable {
        var tree: DataTree?
        let done = DispatchSemaphore(value: 0)
    }

    /// Batches from the reading thread to the building one, at most `limit` waiting.
    final class HandOff: Sendable {
        /// The batches waiting, then nil once no more come.
        private let batches = NIOLockedValueBox<[Batch?]>([])
        private let cancelled = NIOLockedValueBox(false)
        /// Counts the places left for batches, and the batches (or end) waiting.
        private let room: DispatchSemaphore
        private let waiting = DispatchSemaphore(value: 0)

        init(limit: Int) {
            // Made with none and then given its places: libdispatch ends the process when a
            // semaphore is freed with a count below the one it was made with, as `room`'s is
            // when the reader gives up on a damaged file with batches still waiting.
            room = DispatchSemaphore(value: 0)
            for _ in 0..<limit { room.signal() }
        }

        func put(_ batch: Batch) {
            room.wait()
            batches.withLockedValue { $0.append(batch) }
            waiting.signal()
        }

        /// No more batches come.
        func finish() {
            batches.withLockedValue { $0.append(nil) }
            waiting.signal()
        }

        /// No more batches are taken; those waiting go with the hand-off.
        func cancel() {
            cancelled.withLockedValue { $0 = true }
            finish()
        }

        var isCancelled: Bool { cancelled.withLockedValue { $0 } }

        /// The next batch; nil once there are no more.
        func take() -> Batch? {
            waiting.wait()
            guard !isCancelled else { return nil }
            let batch = batches.withLockedValue { $0.removeFirst() }
            if batch != nil { room.signal() }
            return batch
        }
    }
}
