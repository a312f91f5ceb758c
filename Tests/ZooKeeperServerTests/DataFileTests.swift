import Foundation
import NIOCore
import Testing
import ZooKeeperProtocol
import ZooKeeperTestSupport

@testable import ZooKeeperServer

/// The codec of Apache ZooKeeper's data directory against files Apache ZooKeeper 3.8 wrote
/// (`Fixtures/apache-3.8`: a mixed workload of creates, sequential, ephemeral, container and TTL
/// nodes, ACLs, multis, a failed multi and failed writes, a quota; a restart while a session was
/// open; the same tree once more as gzip and snappy snapshots).
@Suite struct DataFileTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/apache-3.8").path

    static func bytes(_ name: String) throws -> ByteBuffer {
        try DataDirectory.readFile(fixture + "/version-2/" + name)
    }

    /// What `body` throws, in words; "no error" when it throws nothing.
    static func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    /// The check for a log's zero tail reads eight bytes at a time: any stray byte, at every
    /// alignment and in the last few bytes, is still found, and the skipped prefix is skipped.
    @Test func aZeroTailIsCheckedToItsLastByte() {
        for length in [0, 1, 7, 8, 9, 23, 64] {
            let zeros = ByteBuffer(repeating: 0, count: length)
            #expect(!TxnLogFile.hasNonZeroByte(zeros))
            for position in 0..<length {
                var stray = zeros
                stray.setInteger(UInt8(0x40), at: position)
                #expect(TxnLogFile.hasNonZeroByte(stray), "byte \(position) of \(length)")
                #expect(TxnLogFile.hasNonZeroByte(stray, after: position + 1) == false)
                #expect(TxnLogFile.hasNonZeroByte(stray, after: position) == true)
            }
        }
        #expect(!TxnLogFile.hasNonZeroByte(ByteBuffer(bytes: [1, 2, 0, 0]), after: 2))
        #expect(!TxnLogFile.hasNonZeroByte(ByteBuffer(bytes: [1]), after: 5))
    }

    @Test func theFixtureIsADataDirectory() throws {
        let directory = try DataDirectory(Self.fixture)
        #expect(directory.path == Self.fixture + "/version-2")
        #expect(directory.logs.map(\.zxid) == [0x1, 0x1c])
        #expect(
            directory.snapshots.map(\.name) == ["snapshot.0", "snapshot.1b", "snapshot.1c.gz", "snapshot.1c.snappy"])
    }

    @Test func logRecordsReencodeToApachesBytes() throws {
        let bytes = try Self.bytes("log.1")
        let log = try TxnLogFile(bytes: bytes)
        #expect(log.header == DataFileHeader(magic: DataFileHeader.logMagic))
        #expect(log.end == .clean)
        var encoded = TxnLogFile.encodedHeader()
        for (offset, record) in log.records {
            #expect(offset == encoded.readableBytes)
            record.encode(into: &encoded)
        }
        #expect(log.goodLength == encoded.readableBytes)
        let file = Array(bytes.readableBytesView)
        #expect(Array(file[..<encoded.readableBytes]) == Array(encoded.readableBytesView))
        // Preallocated to 8 KiB (zookeeper.preAllocSize=8) with zeros.
        #expect(file.count == 8208)
        #expect(file[encoded.readableBytes...].allSatisfy { $0 == 0 })
        // Records carry the 3.8 digest, but for those of failed requests; the zxids run from 1
        // without gaps.
        #expect(log.records.filter { $0.record.digest == nil }.map(\.record.transaction.type) == [.error, .error])
        #expect(log.records.compactMap { $0.record.digest?.version }.allSatisfy { $0 == 2 })
        #expect(log.records.map(\.record.zxid) == Array(1...Int64(log.records.count)))
    }

    @Test func logRecordsHoldTheWorkload() throws {
        let records = try TxnLogFile(bytes: try Self.bytes("log.1")).records.map(\.record)
        let types = records.map(\.transaction.type)
        #expect(types.first == .createSession)
        #expect(types.contains(.multi) && types.contains(.createContainer) && types.contains(.createTTL))
        #expect(types.contains(.setACL) && types.contains(.error) && types.contains(.delete))
        let ephemeral = records.first { $0.transaction.path == "/app/eph" }
        guard case .create(_, let data, _, let isEphemeral, _)? = ephemeral?.transaction.body else {
            Issue.record("no create of /app/eph")
            return
        }
        #expect(data == Array("e".utf8) && isEphemeral && ephemeral?.session == 0x1_0001_4528_c500_00)
        let multis = records.compactMap { record -> [LoggedTransaction]? in
            if case .multi(let operations) = record.transaction.body { return operations }
            return nil
        }
        // The good multi: two creates and a setData; the failed one: the create checked before
        // the failing check, then the check's error (BadVersion), which voids the whole multi.
        #expect(multis.first?.map(\.type) == [.create, .create, .setData])
        #expect(multis.last?.map(\.type) == [.create, .error])
        #expect(multis.last?.last?.body == .error(.badVersion))
        guard
            case .createTTL(let path, _, _, _, let ttl)? = records.first(where: { $0.transaction.type == .createTTL })?
                .transaction.body
        else { return }
        #expect(path == "/app/ttl" && ttl == 60000)
    }

    @Test func theRestartLogHoldsTheSessionsClose() throws {
        let log = try TxnLogFile(bytes: try Self.bytes("log.1c"))
        #expect(log.end == .clean)
        let close = log.records.first { $0.record.transaction.type == .closeSession }?.record
        #expect(close?.transaction.body == .closeSession(paths: ["/app/eph"]))
        #expect(close?.zxid == 0x1c)
    }

    @Test func snapshotsReencodeToApachesBytes() throws {
        for name in ["snapshot.0", "snapshot.1b"] {
            let bytes = try Self.bytes(name)
            let snapshot = try SnapshotFile(bytes: bytes, file: name)
            #expect(Array(snapshot.encoded().readableBytesView) == Array(bytes.readableBytesView), "\(name)")
            #expect(snapshot.digest != nil)
        }
    }

    /// The server encodes its tree in one walk, handing the bytes over in pieces: together they
    /// are a snapshot of the listed nodes in their order, under one checksum, each ACL list in the
    /// cache once, and the tree Apache's file held.
    @Test func aTreeEncodesAsItsListedNodesDoInPieces() throws {
        let apache = try SnapshotFile(bytes: try Self.bytes("snapshot.1b"))
        let tree = try SnapshotRestore.tree(from: try Self.bytes("snapshot.1b")).tree
        var listed: [(path: String, data: [UInt8]?, acl: [ACL], stat: PersistedStat)] = []
        tree.contents.visitInPreorder { path, place, node in
            let data = tree.contents.withData(of: node, at: place) { $0.map { Array($0) } }
            listed.append((path, data, node.acl, PersistedStat(node)))
        }
        var pieces: [ByteBuffer] = []
        SnapshotFile.encode(tree: tree.contents, sessions: apache.sessions, pieceSize: 100) { pieces.append($0) }
        var whole = ByteBuffer()
        for piece in pieces { whole.writeImmutableBuffer(piece) }
        #expect(pieces.count > 5)
        #expect(pieces.dropLast().allSatisfy { $0.readableBytes >= 100 })

        // The checksum is checked as it is read; the ACL numbers may differ from those the
        // listed nodes would get, as the cache is numbered before the walk.
        let reread = try SnapshotFile(bytes: whole)
        let expected = SnapshotFile(sessions: apache.sessions, nodes: listed)
        #expect(reread.nodes.map(\.path) == expected.nodes.map(\.path))
        #expect(reread.nodes.map(\.data) == expected.nodes.map(\.data))
        #expect(reread.nodes.map(\.acl) == expected.nodes.map(\.acl))
        #expect(reread.nodes.map(\.stat) == expected.nodes.map(\.stat))
        #expect(reread.sessions.map(\.id) == apache.sessions.map(\.id))
        #expect(reread.aclCache.count > 1)
        #expect(Set(reread.aclCache.map(\.acl)).count == reread.aclCache.count)
        #expect(Set(reread.aclCache.map(\.acl)) == Set(expected.aclCache.map(\.acl)))
        // Apart from the ACL numbers, the bytes are those of the listed nodes' snapshot, and
        // the file reads back to the same bytes.
        #expect(whole.readableBytes == expected.encoded().readableBytes)
        #expect(Array(reread.encoded().readableBytesView) == Array(whole.readableBytesView))
        func contents(_ snapshot: SnapshotFile) -> [String: String] {
            Dictionary(uniqueKeysWithValues: snapshot.nodes.map { ($0.path, "\($0.data as Any) \($0.acl) \($0.stat)") })
        }
        #expect(contents(reread) == contents(apache))
    }

    /// A snapshot reads the tree's contents as they stood when it was taken, while the tree
    /// changes on: the changes copy the pages they touch, not the contents.
    @Test func aSnapshotsContentsKeepWhatTheTreeHeldWhenTaken() throws {
        var tree = try SnapshotRestore.tree(from: try Self.bytes("snapshot.1b")).tree
        func encoded(_ contents: DataTree.Contents) -> [UInt8] {
            var bytes: [UInt8] = []
            SnapshotFile.encode(tree: contents, sessions: []) { bytes += Array($0.readableBytesView) }
            return bytes
        }
        let taken = tree.contents
        let before = encoded(taken)
        tree.create(
            "/app/new", data: [1, 2], acl: ACL.openUnsafe, mode: .persistent, owner: 0, ttl: 0, zxid: 0x100, time: 1)
        tree.setData("/app/config", data: Array("changed".utf8), zxid: 0x101, time: 2)
        tree.delete("/app/m1", zxid: 0x102)
        #expect(encoded(taken) == before)
        #expect(encoded(tree.contents) != before)
        #expect(tree.data(at: "/app/config") == Array("changed".utf8))
    }

    @Test func aSnapshotHoldsTheTreeSessionsAndACLs() throws {
        let snapshot = try SnapshotFile(bytes: try Self.bytes("snapshot.1b"))
        let nodes = Dictionary(uniqueKeysWithValues: snapshot.nodes.map { ($0.path, $0) })
        #expect(snapshot.nodes.first?.path == "/")
        #expect(nodes["/app/config"]?.data == Array("{\"db\":\"oracle\"}".utf8))
        #expect(nodes["/app/config"]?.stat.version == 2)
        #expect(nodes["/app/eph"]?.stat.ephemeralSession == 0x1_0001_4528_c500_00)
        #expect(snapshot.sessions.map(\.id).contains(0x1_0001_4528_c500_00))
        #expect(nodes["/app/container"]?.stat.isContainer == true)
        #expect(nodes["/app/ttl"]?.stat.ttl == 60000)
        #expect(nodes["/app/secret"]?.acl.first?.id.scheme == "digest")
        #expect(nodes["/app/readonly"]?.acl == [ACL(permissions: .read, id: .anyone)])
        #expect(nodes["/app/m1"]?.stat.aversion == 1)
        #expect(nodes["/app/m2"] == nil)
        // Apache 3.8's own layout of a count quota.
        #expect(
            nodes["/zookeeper/quota/app/zookeeper_limits"]?.data
                == Array("count=10,bytes=-1=;byteHardLimit=-1;countHardLimit=-1".utf8))
        #expect(nodes["/bin"]?.data == [0, 1, 0xFF])
        // Seq nodes: the parent's persisted cversion counts creations (clients see 2 * 14 - 11).
        #expect(nodes["/app/seq-0000000003"] != nil)
        let app = nodes["/app"]!
        let children = snapshot.nodes.filter { NodePath.split($0.path).parent == "/app" }.count
        #expect(app.stat.stat(dataLength: 9, numChildren: Int32(children)).numChildren == Int32(children))
    }

    @Test(arguments: ["snapshot.1c.gz", "snapshot.1c.snappy"])
    func compressedSnapshotsReadLikePlainOnes(name: String) throws {
        let compression = SnapshotCompression(fileName: name)
        let plain = try compression.decompress(try Self.bytes(name), file: name)
        let snapshot = try SnapshotFile(bytes: plain, file: name)
        #expect(Array(snapshot.encoded().readableBytesView) == Array(plain.readableBytesView))
        #expect(snapshot.nodes.contains { $0.path == "/app/eph" } == false)
        // What we compress reads back the same, in our reader and (see the serve tests) Apache's.
        let again = try compression.decompress(compression.compress(plain), file: name)
        #expect(again == plain)
    }

    @Test func compressionRoundTripsRandomAndRepetitiveBytes() throws {
        var generator = SeededGenerator(seed: 7)
        for length in [0, 1, 5, 100, 40_000, 200_000] {
            let random = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let repetitive = (0..<length).map { UInt8(($0 / 7) % 5) }
            for input in [random, repetitive] {
                for compression in SnapshotCompression.allCases {
                    let buffer = ByteBuffer(bytes: input)
                    #expect(
                        try compression.decompress(compression.compress(buffer)) == buffer, "\(compression) \(length)")
                }
            }
        }
    }

    // MARK: Bad input

    @Test func aTornLogTailIsReportedNotThrown() throws {
        let bytes = try Self.bytes("log.1")
        let good = try TxnLogFile(bytes: bytes)
        let last = good.records.last!.offset
        let torn = bytes.getSlice(at: 0, length: last + 20)!
        let log = try TxnLogFile(bytes: torn)
        #expect(log.records.count == good.records.count - 1)
        #expect(
            log.end
                == .torn(
                    offset: last,
                    reason: "a record of \(good.records.last!.record.encodedPayload().readableBytes) bytes cut short"))
        #expect(log.goodLength == last)
    }

    @Test func aFlippedByteIsAChecksumMismatch() throws {
        var bytes = try Self.bytes("log.1")
        let good = try TxnLogFile(bytes: bytes)
        let target = good.records[3].offset + 20
        bytes.setInteger(bytes.getInteger(at: target, as: UInt8.self)! ^ 0x40, at: target)
        let log = try TxnLogFile(bytes: bytes)
        #expect(log.records.count == 3)
        #expect(log.end == .corrupt(offset: good.records[3].offset, reason: "checksum mismatch"))
    }

    /// Apache ZooKeeper writes snapshots depth first, but loads any order with parents before
    /// children: so does the store, each parent's children in the order listed, and a node
    /// before its parent is refused.
    @Test func aSnapshotListedBreadthFirstLoadsTheSameTree() throws {
        let paths = ["/", "/b", "/a", "/b/y", "/a/x", "/b/y/z", "/b/w", "/zookeeper", "/zookeeper/quota"]
        let tree = try SnapshotRestore.tree(from: Self.snapshot(paths)).tree
        #expect(tree.nodeCount == paths.count)
        func children(_ path: String) -> [String]? { tree[path].map { tree.childNames(of: $0) } }
        #expect(children("/b")?.sorted() == ["w", "y"])
        #expect(children("/b/y") == ["z"])
        #expect(children("/a") == ["x"])
        func preorder(_ tree: DataTree) -> [String] {
            var paths: [String] = []
            tree.contents.visitInPreorder { path, _, _ in paths.append(path) }
            return paths
        }
        #expect(preorder(tree).sorted() == paths.sorted())
        // The same tree listed depth first, as written: equal node for node.
        let depthFirst = try SnapshotRestore.tree(from: Self.snapshot(preorder(tree))).tree
        #expect(preorder(depthFirst) == preorder(tree))
        #expect(throws: DataFileError.self) { try SnapshotFile(bytes: Self.snapshot(["/", "/a/x", "/a"])) }
        #expect(throws: DataFileError.self) { try SnapshotFile(bytes: Self.snapshot(["/", "/a", "/b/y", "/b"])) }
    }

    /// A snapshot file without compression is read where the system maps it: the tree is the one
    /// its bytes give, and an empty, a cut or a damaged file fails as its bytes do.
    @Test func aSnapshotFileIsReadInPlaceAsItsBytesAre() throws {
        let bytes = try Self.bytes("snapshot.1b")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mapped-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("snapshot.1b").path
        func write(_ content: ByteBuffer) throws {
            try Data(content.readableBytesView).write(to: URL(fileURLWithPath: path))
        }
        func listed(_ tree: DataTree) -> [String] {
            var nodes: [String] = []
            tree.contents.visitInPreorder { path, place, node in
                let data = tree.contents.withData(of: node, at: place) { $0.map { Array($0) } }
                nodes.append("\(path) \(String(describing: data)) \(node.acl) \(PersistedStat(node))")
            }
            return nodes
        }
        let failure = Self.message
        try write(bytes)
        let mapped = try SnapshotRestore.read(path)
        let read = try SnapshotRestore.tree(from: bytes, file: path)
        #expect(listed(mapped.tree).count > 10)
        #expect(listed(mapped.tree) == listed(read.tree))
        #expect(mapped.sessions.map(\.id) == read.sessions.map(\.id))
        var flipped = bytes
        flipped.setInteger(UInt8(0x7A), at: 600)
        for damaged in [ByteBuffer(), bytes.getSlice(at: 0, length: 1000)!, flipped] {
            try write(damaged)
            let message = failure { _ = try SnapshotRestore.read(path) }
            #expect(message.hasPrefix(path + ": "))
            #expect(message == failure { _ = try SnapshotRestore.tree(from: damaged, file: path) })
        }
    }

    /// The reader gives up on a damaged file while batches it read wait for the builder: the
    /// hand-off between them goes with those batches. Its semaphore had been made with the
    /// places for them, and libdispatch ended the whole process (SIGILL in
    /// `_dispatch_semaphore_dispose`) when it was freed with fewer; it did in `make test`, now and
    /// then, when a damaged snapshot was passed over at start.
    @Test func aHandOffGivenUpWithBatchesWaitingGoesQuietly() {
        for waiting in 0...8 {
            let handOff = SnapshotRestore.HandOff(limit: 8)
            for _ in 0..<waiting { handOff.put(SnapshotRestore.Batch()) }
            handOff.cancel()
            #expect(handOff.take() == nil)
        }
    }

    /// A large snapshot damaged at its end (its checksum) fails with its one line, after the
    /// reader has handed most of its nodes to the builder, with some still waiting.
    @Test func aLargeSnapshotDamagedAtItsEndFailsWithOneLine() throws {
        let nodes = ["/"] + (0..<50_000).map { "/n\($0)" }
        var bytes = Self.snapshot(nodes)
        #expect(try SnapshotRestore.tree(from: bytes).tree.nodeCount == nodes.count)
        let last = bytes.writerIndex - 1
        bytes.setInteger(bytes.getInteger(at: last, as: UInt8.self)! ^ 0x01, at: last)
        for _ in 0..<5 {
            let message = Self.message { _ = try SnapshotRestore.tree(from: bytes, file: "snapshot.big") }
            #expect(message.hasPrefix("snapshot.big: "))
        }
    }

    /// A snapshot of empty open nodes at `paths`, in the order given, without sessions.
    static func snapshot(_ paths: [String]) -> ByteBuffer {
        let stat = PersistedStat(
            czxid: 1, mzxid: 1, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0, pzxid: 1)
        return SnapshotFile(sessions: [], nodes: paths.map { ($0, nil, ACL.openUnsafe, stat) }).encoded()
    }

    @Test func badFilesFailWithOneLine() throws {
        let snapshot = try Self.bytes("snapshot.1b")
        let log = try Self.bytes("log.1")
        let message = Self.message
        #expect(
            message { _ = try SnapshotFile(bytes: log, file: "f") }
                == "f: not a ZooKeeper snapshot (magic number 0x5a4b4c47)")
        #expect(
            message { _ = try TxnLogFile(bytes: snapshot, file: "f") }
                == "f: not a ZooKeeper transaction log (magic number 0x5a4b534e)")
        var newer = snapshot
        newer.setInteger(Int32(3), at: 4)
        #expect(
            message { _ = try SnapshotFile(bytes: newer, file: "f") }
                == "f: snapshot format version 3 is not supported (only 2)")
        #expect(
            message { _ = try SnapshotFile(bytes: snapshot.getSlice(at: 0, length: 1000)!, file: "f") }.hasPrefix(
                "f: truncated"))
        var flipped = snapshot
        flipped.setInteger(UInt8(0x7A), at: 600)
        #expect(message { _ = try SnapshotFile(bytes: flipped, file: "f") }.contains(": "))
        #expect(
            message { _ = try SnapshotFile(bytes: ByteBuffer(), file: "f") }
                == "f: too short to be a ZooKeeper snapshot (0 bytes)")
        #expect(message { _ = try SnapshotCompression.gzip.decompress(snapshot, file: "f") } == "f: corrupt gzip data")
        #expect(
            message { _ = try SnapshotCompression.snappy.decompress(snapshot, file: "f") }
                == "f: not a snappy stream (no snappy-java header)")
        #expect(
            message { _ = try DataDirectory("/proc/self") }.hasSuffix(
                "not a ZooKeeper data directory (no version-2, no logs, no snapshots)"))
        #expect(message { _ = try DataDirectory("/nonexistent-dir") } == "/nonexistent-dir: no such directory")
    }

    /// Seeded mutations of every fixture file (bytes flipped, cut, inserted): the readers throw
    /// or return, never trap or hang. `make fuzz-datadir` runs many more (DATADIR_FUZZ_ITERATIONS).
    @Test(.timeLimit(.minutes(10))) func mutatedFilesNeverCrashTheReaders() throws {
        let iterations = ProcessInfo.processInfo.environment["DATADIR_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 2_000
        let names = try DataDirectory(Self.fixture).logs.map(\.name) + DataDirectory(Self.fixture).snapshots.map(\.name)
        let files = try names.map { name -> (String, [UInt8]) in
            let compression = SnapshotCompression(fileName: name)
            return (name, Array(try compression.decompress(try Self.bytes(name)).readableBytesView))
        }
        var generator = SeededGenerator(seed: 20)
        for iteration in 0..<iterations {
            let (name, original) = files[iteration % files.count]
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                guard !bytes.isEmpty else { break }
                let at = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: bytes[at] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes.removeSubrange(at...)
                case 2:
                    bytes.insert(contentsOf: (0..<Int.random(in: 1...8, using: &generator)).map { _ in 0xFF }, at: at)
                default: bytes[at] ^= 0x80
                }
            }
            let buffer = ByteBuffer(bytes: bytes)
            if name.hasPrefix("log") {
                _ = try? TxnLogFile(bytes: buffer)
            } else {
                _ = try? SnapshotFile(bytes: buffer)
                _ = try? SnapshotCompression.gzip.decompress(buffer)
                _ = try? SnapshotCompression.snappy.decompress(buffer)
            }
        }
    }
}
