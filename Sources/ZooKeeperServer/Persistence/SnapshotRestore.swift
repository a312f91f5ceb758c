import Dispatch
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Reads a snapshot file into a tree on two threads: the caller's reads and checks the file,
/// another builds the tree meanwhile from the nodes read so far, batch by batch. Each half was
/// about half of a restart's time.
enum SnapshotRestore {
    /// The tree and sessions of the snapshot at `path`, uncompressed as its name says; throws if
    /// the file is damaged anywhere (the tree built so far is then dropped).
    static func read(_ path: String) throws(DataFileError) -> (tree: DataTree, sessions: [(id: Int64, timeout: Int32)])
    {
        let bytes = try DataDirectory.readFile(path)
        return try tree(from: try SnapshotCompression(fileName: path).decompress(bytes, file: path), file: path)
    }

    /// The tree and sessions of an uncompressed snapshot's bytes; `file` names it in errors.
    static func tree(from plain: ByteBuffer, file path: String = "") throws(DataFileError) -> (
        tree: DataTree, sessions: [(id: Int64, timeout: Int32)]
    ) {
        let handOff = HandOff(limit: 8)
        let built = Built()
        let builder = NIOThreadPool(numberOfThreads: 1)
        builder.start()
        defer { try? builder.syncShutdownGracefully() }
        builder.submit { _ in
            // Each node takes at least SnapshotFile.smallestNode bytes: no array grows by copying.
            var restoration = DataTree.Restoration(atMost: plain.readableBytes / SnapshotFile.smallestNode)
            // The nodes' data is copied from where it lies in the file.
            plain.withUnsafeReadableBytes { file in
                while var batch = handOff.take() {
                    for index in batch.nodes.indices {
                        let data = batch.nodes[index].data.map {
                            UnsafeRawBufferPointer(
                                rebasing: file[$0.lowerBound - plain.readerIndex..<$0.upperBound - plain.readerIndex])
                        }
                        restoration.add(&batch.nodes[index], data: data, parent: batch.parents[index])
                    }
                }
            }
            // A damaged file's tree is dropped: its children are not worth adding.
            if !handOff.isCancelled { built.tree = restoration.finish() }
            built.done.signal()
        }
        var batch = Batch()
        let head: SnapshotFile.Head
        do {
            head = try SnapshotFile.read(plain, file: path) { node, parent in
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

    /// Nodes in snapshot order with their parents' places.
    private struct Batch: Sendable {
        static let size = 1024
        var nodes: [SnapshotFile.NodeInFile] = []
        var parents: [Int32] = []

        init() {
            nodes.reserveCapacity(Self.size)
            parents.reserveCapacity(Self.size)
        }
    }

    /// The builder's tree, set before `done` is signalled and read after it.
    private final class Built: @unchecked Sendable {
        var tree: DataTree?
        let done = DispatchSemaphore(value: 0)
    }

    /// Batches from the reading thread to the building one, at most `limit` waiting.
    private final class HandOff: Sendable {
        /// The batches waiting, then nil once no more come.
        private let batches = NIOLockedValueBox<[Batch?]>([])
        private let cancelled = NIOLockedValueBox(false)
        /// Counts the places left for batches, and the batches (or end) waiting.
        private let room: DispatchSemaphore
        private let waiting = DispatchSemaphore(value: 0)

        init(limit: Int) { room = DispatchSemaphore(value: limit) }

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
