import NIOCore
import ZooKeeperProtocol

/// A node's persisted metadata (`StatPersisted`): the stat without the data length and child
/// count, with `cversion` counting child creations only (clients see creations and deletions).
public struct PersistedStat: Hashable, Sendable {
    public var czxid: Int64
    public var mzxid: Int64
    public var ctime: Int64
    public var mtime: Int64
    public var version: Int32
    public var cversion: Int32
    public var aversion: Int32
    /// The owning session of an ephemeral node; `Int64.min` for a container; `0xFF` in the top
    /// byte and the time-to-live below for a TTL node; else 0.
    public var ephemeralOwner: Int64
    public var pzxid: Int64

    public init(
        czxid: Int64, mzxid: Int64, ctime: Int64, mtime: Int64, version: Int32, cversion: Int32, aversion: Int32,
        ephemeralOwner: Int64, pzxid: Int64
    ) {
        self.czxid = czxid
        self.mzxid = mzxid
        self.ctime = ctime
        self.mtime = mtime
        self.version = version
        self.cversion = cversion
        self.aversion = aversion
        self.ephemeralOwner = ephemeralOwner
        self.pzxid = pzxid
    }

    /// The `ephemeralOwner` of container nodes.
    public static let containerOwner = Int64.min
    private static let extendedMask: UInt64 = 0xFF00_0000_0000_0000

    /// The `ephemeralOwner` of a TTL node with this time-to-live in milliseconds.
    public static func ttlOwner(_ ttl: Int64) -> Int64 {
        Int64(bitPattern: extendedMask | UInt64(ttl & 0x00FF_FFFF_FFFF))
    }

    /// The node's time-to-live in milliseconds when it is a TTL node.
    public var ttl: Int64? { Self.ttl(ofOwner: ephemeralOwner) }

    /// Whether the node is a container.
    public var isContainer: Bool { ephemeralOwner == Self.containerOwner }

    /// The owning session when the node is ephemeral.
    public var ephemeralSession: Int64? { Self.session(ofOwner: ephemeralOwner) }

    /// The time-to-live an `ephemeralOwner` carries, if it is a TTL node's.
    static func ttl(ofOwner owner: Int64) -> Int64? {
        UInt64(bitPattern: owner) & extendedMask == extendedMask ? owner & 0x00FF_FFFF_FFFF : nil
    }

    /// The session an `ephemeralOwner` names, if it is an ephemeral node's.
    static func session(ofOwner owner: Int64) -> Int64? {
        owner == 0 || owner == containerOwner || ttl(ofOwner: owner) != nil ? nil : owner
    }

    /// The `ephemeralOwner` of a node created in `mode`: `session` for an ephemeral node, the
    /// time-to-live's for a TTL node.
    static func owner(of mode: CreateMode, session: Int64, ttl: Int64) -> Int64 {
        mode.isContainer ? containerOwner : mode.isTTL ? ttlOwner(ttl) : mode.isEphemeral ? session : 0
    }

    /// The mode of the node, as far as its stat tells: not whether it was sequential.
    var mode: CreateMode { Self.mode(ofOwner: ephemeralOwner) }

    /// The mode of a node with this `ephemeralOwner`, as far as it tells: not whether the node
    /// was sequential.
    static func mode(ofOwner owner: Int64) -> CreateMode {
        owner == containerOwner
            ? .container
            : ttl(ofOwner: owner) != nil
                ? .persistentWithTTL : session(ofOwner: owner) != nil ? .ephemeral : .persistent
    }

    /// The stat clients see, given the node's data length and child count.
    public func stat(dataLength: Int32, numChildren: Int32) -> Stat {
        Stat(
            czxid: czxid, mzxid: mzxid, ctime: ctime, mtime: mtime, version: version,
            cversion: cversion &* 2 &- numChildren, aversion: aversion, ephemeralOwner: ephemeralOwner,
            dataLength: dataLength, numChildren: numChildren, pzxid: pzxid)
    }

    init(from reader: inout JuteReader) throws(JuteError) {
        czxid = try reader.readLong()
        mzxid = try reader.readLong()
        ctime = try reader.readLong()
        mtime = try reader.readLong()
        version = try reader.readInt()
        cversion = try reader.readInt()
        aversion = try reader.readInt()
        ephemeralOwner = try reader.readLong()
        pzxid = try reader.readLong()
    }

    /// The bytes a persisted stat takes: six longs and three ints.
    static let encodedSize = 60

    /// Stores the stat at `offset` of `out`, which has ``encodedSize`` bytes of room there, in
    /// the order ``init(from:)`` reads it; returns the offset after it.
    func store(into out: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        var at = out.storeBigEndian(czxid, at: offset)
        at = out.storeBigEndian(mzxid, at: at)
        at = out.storeBigEndian(ctime, at: at)
        at = out.storeBigEndian(mtime, at: at)
        at = out.storeBigEndian(version, at: at)
        at = out.storeBigEndian(cversion, at: at)
        at = out.storeBigEndian(aversion, at: at)
        at = out.storeBigEndian(ephemeralOwner, at: at)
        return out.storeBigEndian(pzxid, at: at)
    }
}

/// One node of a snapshot: its path ("/" for the root), data, ACL and persisted stat.
public struct SnapshotNode: Hashable, Sendable {
    public var path: String
    public var data: [UInt8]?
    /// The node's ACL, looked up in the snapshot's ACL cache.
    public var acl: [ACL]
    /// The number the ACL has in the snapshot's cache.
    public var aclKey: Int64
    public var stat: PersistedStat

    public init(path: String, data: [UInt8]?, acl: [ACL], aclKey: Int64, stat: PersistedStat) {
        self.path = path
        self.data = data
        self.acl = acl
        self.aclKey = aclKey
        self.stat = stat
    }
}

/// A snapshot file, `version-2/snapshot.<zxid>`, as Apache ZooKeeper 3.8 writes it
/// (`FileSnap.serialize`): a header; the sessions with their timeouts; the ACL cache (each
/// distinct ACL once, under a number); the nodes, parents before children, ending with the path
/// "/"; an Adler-32 checksum of everything before it; and, from 3.6, the digest of the tree at a
/// zxid with a second checksum. Compressed snapshots (`.gz`, `.snappy`) hold the same bytes.
public struct SnapshotFile: Sendable {
    public var header: DataFileHeader
    /// Sessions open at the snapshot, with their timeouts in milliseconds, in file order.
    public var sessions: [(id: Int64, timeout: Int32)]
    /// The ACL cache in file order: each distinct ACL under its number.
    public var aclCache: [(key: Int64, acl: [ACL])]
    /// The nodes in file order (parents before children), ACLs resolved.
    public var nodes: [SnapshotNode]
    /// The tree digest the server recorded (zxid, digest version, digest), if any.
    public var digest: (zxid: Int64, version: Int32, value: Int64)?

    /// The ACL number Apache ZooKeeper uses for world:anyone with every permission, which it
    /// leaves out of the cache.
    public static let openUnsafeACLKey: Int64 = -1

    /// A snapshot of these nodes, given parents first; the ACL cache numbers each distinct ACL
    /// from 1 in order of first use, as Apache ZooKeeper numbers them, world:anyone with every
    /// permission -1.
    public init(
        sessions: [(id: Int64, timeout: Int32)],
        nodes: [(path: String, data: [UInt8]?, acl: [ACL], stat: PersistedStat)],
        digest: (zxid: Int64, version: Int32, value: Int64)? = nil
    ) {
        var numbering = ACLNumbering()
        self.nodes = nodes.map { node in
            SnapshotNode(
                path: node.path, data: node.data, acl: node.acl, aclKey: numbering.key(of: node.acl), stat: node.stat)
        }
        header = DataFileHeader(magic: DataFileHeader.snapshotMagic)
        self.sessions = sessions
        aclCache = numbering.cache
        self.digest = digest
    }

    /// Reads an uncompressed snapshot's bytes, checking the checksums.
    public init(bytes: ByteBuffer, file: String = "") throws(DataFileError) {
        var nodes: [SnapshotNode] = []
        let head = try Self.read(bytes, file: file) { node, _, bytes in
            let data = node.data.map { Array(bytes[$0]) }
            nodes.append(SnapshotNode(path: node.path, data: data, acl: node.acl, aclKey: node.aclKey, stat: node.stat))
        }
        (header, sessions, aclCache, digest) = (head.header, head.sessions, head.aclCache, head.digest)
        self.nodes = nodes
    }

    /// What a snapshot holds besides its nodes.
    struct Head {
        var header: DataFileHeader
        var sessions: [(id: Int64, timeout: Int32)]
        var aclCache: [(key: Int64, acl: [ACL])]
        var digest: (zxid: Int64, version: Int32, value: Int64)?
    }

    /// The fewest bytes a node takes in a snapshot: a one-byte path and no data (with their
    /// lengths), an ACL number and the stat.
    static let smallestNode = 4 + 1 + 4 + 8 + PersistedStat.encodedSize

    /// A node as ``read(_:file:node:)`` hands it over: its data is where it lies among the bytes
    /// read (their offsets), not a copy.
    struct NodeInFile: Sendable {
        var path: String
        var data: Range<Int>?
        var acl: [ACL]
        var aclKey: Int64
        var stat: PersistedStat
    }

    /// ``read(_:file:node:)`` on a buffer's readable bytes, which `node` is lent too.
    static func read(
        _ buffer: ByteBuffer, file: String,
        node: (consuming NodeInFile, _ parent: Int32, _ bytes: UnsafeRawBufferPointer) -> Void
    ) throws(DataFileError) -> Head {
        let result = buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(DataFileError) in try read(bytes, file: file) { node($0, $1, bytes) } }
        }
        return try result.get()
    }

    /// Reads an uncompressed snapshot's bytes, checking the checksums, and hands each node to
    /// `node` as it is read, with the place of its parent among the nodes before it (-1 for the
    /// root), instead of keeping them. Only once this returns are the nodes known to be good.
    static func read(
        _ bytes: UnsafeRawBufferPointer, file: String, node: (consuming NodeInFile, _ parent: Int32) -> Void
    ) throws(DataFileError) -> Head {
        var headerBytes = ByteBuffer(bytes: bytes.prefix(DataFileHeader.length))
        let header = try DataFileHeader(from: &headerBytes, expecting: DataFileHeader.snapshotMagic, file: file)
        var reader = JuteReader(bytes, from: DataFileHeader.length)
        // The checksum covers every byte before it; it is taken as the parse goes, a piece at a
        // time, while the bytes are still in the cache.
        var seal = Seal(file: file)
        func failure(_ problem: String) -> DataFileError {
            DataFileError(file, "\(problem) at byte \(reader.offset)")
        }
        do {
            let sessionCount = try reader.readInt()
            guard sessionCount >= 0, Int(sessionCount) <= reader.remaining / 12 else {
                throw failure("an impossible session count \(sessionCount)")
            }
            var sessions: [(id: Int64, timeout: Int32)] = []
            sessions.reserveCapacity(Int(sessionCount))
            for _ in 0..<sessionCount {
                sessions.append((try reader.readLong(), try reader.readInt()))
            }
            let aclCount = try reader.readInt()
            guard aclCount >= 0, Int(aclCount) <= reader.remaining / 12 else {
                throw failure("an impossible ACL count \(aclCount)")
            }
            var acls: [Int64: [ACL]] = [Self.openUnsafeACLKey: ACL.openUnsafe]
            var aclCache: [(key: Int64, acl: [ACL])] = []
            for _ in 0..<aclCount {
                let key = try reader.readLong()
                let acl = try reader.readACLs()
                acls[key] = acl
                aclCache.append((key, acl))
            }
            var count: Int32 = 0
            var order = ParentsFirst()
            var last: (key: Int64, acl: [ACL])? = nil
            while true {
                seal.take(reader, every: 1 << 16)
                let path = try reader.readString()
                if path == "/" { break }
                let data = try reader.skipBuffer()
                let aclKey = try reader.readLong()
                let stat = try PersistedStat(from: &reader)
                if last?.key != aclKey {
                    guard let acl = acls[aclKey] else {
                        throw failure("node \(path) names ACL \(aclKey), not in the cache")
                    }
                    last = (aclKey, acl)
                }
                let nodePath = path.isEmpty ? "/" : path
                let parent: Int32
                if !path.isEmpty {
                    guard let found = order.parent(of: nodePath) else {
                        throw failure("node \(path) comes before its parent")
                    }
                    parent = found
                } else {
                    guard count == 0 else { throw failure("a second root node") }
                    parent = -1
                }
                order.came(nodePath, at: count)
                count += 1
                node(NodeInFile(path: nodePath, data: data, acl: last!.acl, aclKey: aclKey, stat: stat), parent)
            }
            guard order.sawRoot else { throw failure("a snapshot without a root node") }
            try seal.check(&reader)
            var digest: (zxid: Int64, version: Int32, value: Int64)? = nil
            if reader.remaining > 0 {
                let zxid = try reader.readLong()
                let version = try reader.readInt()
                guard version >= 2 else { throw failure("digest version \(version) is not supported") }
                digest = (zxid, version, try reader.readLong())
                try seal.check(&reader)
            }
            guard reader.remaining == 0 else { throw failure("\(reader.remaining) unexpected bytes") }
            return Head(header: header, sessions: sessions, aclCache: aclCache, digest: digest)
        } catch let error as DataFileError {
            throw error
        } catch {
            throw failure("truncated or malformed (\(error))")
        }
    }

    /// The checksums of a snapshot: each of every byte before it, taken as the bytes are read.
    private struct Seal {
        let file: String
        private var adler = Adler32()
        /// The bytes before this offset are in `adler`.
        private var checked = 0

        init(file: String) {
            self.file = file
        }

        /// Adds the bytes read since the last time, once there are at least `size` of them.
        mutating func take(_ reader: JuteReader, every size: Int = 1) {
            guard reader.offset - checked >= size else { return }
            adler.update(UnsafeRawBufferPointer(rebasing: reader.bytes[checked..<reader.offset]))
            checked = reader.offset
        }

        /// Reads a checksum and the "/" after it, comparing the checksum with that of all bytes
        /// before it.
        mutating func check(_ reader: inout JuteReader) throws(DataFileError) {
            take(reader)
            func failure(_ problem: String) -> DataFileError {
                DataFileError(file, "\(problem) at byte \(checked)")
            }
            let stored: Int64
            let slash: String
            do {
                stored = try reader.readLong()
                slash = try reader.readString()
            } catch {
                throw failure("the checksum is missing (the snapshot is truncated)")
            }
            guard slash == "/" else { throw failure("the checksum is not followed by \"/\"") }
            guard stored == Int64(adler.value) else { throw failure("checksum mismatch") }
        }
    }

    /// The uncompressed bytes.
    public func encoded() -> ByteBuffer {
        var buffer = ByteBuffer()
        Self.encodeHead(header, sessions: sessions, aclCache: aclCache, into: &buffer)
        for node in nodes {
            if let data = node.data {
                data.withUnsafeBytes { Self.encodeNode(node.path, $0, node.aclKey, node.stat, into: &buffer) }
            } else {
                Self.encodeNode(node.path, nil, node.aclKey, node.stat, into: &buffer)
            }
        }
        buffer.writeJuteString("/")
        Self.seal(&buffer)
        if let digest {
            buffer.writeJuteLong(digest.zxid)
            buffer.writeJuteInt(digest.version)
            buffer.writeJuteLong(digest.value)
            Self.seal(&buffer)
        }
        return buffer
    }

    /// The header, the sessions and the ACL cache: what comes before the nodes.
    static func encodeHead(
        _ header: DataFileHeader, sessions: [(id: Int64, timeout: Int32)], aclCache: [(key: Int64, acl: [ACL])],
        into buffer: inout ByteBuffer
    ) {
        header.encode(into: &buffer)
        buffer.writeJuteInt(Int32(sessions.count))
        for session in sessions {
            buffer.writeJuteLong(session.id)
            buffer.writeJuteInt(session.timeout)
        }
        buffer.writeJuteInt(Int32(aclCache.count))
        for (key, acl) in aclCache {
            buffer.writeJuteLong(key)
            buffer.writeJuteACLs(acl)
        }
    }

    /// Appends a node as a snapshot holds it: path ("" for the root), data, ACL number, stat.
    /// Written in one piece: field by field, the buffer's checks on each write were a tenth of
    /// the server's CPU at a million nodes.
    static func encodeNode(
        _ path: String, _ data: UnsafeRawBufferPointer?, _ aclKey: Int64, _ stat: PersistedStat,
        into buffer: inout ByteBuffer
    ) {
        let isRoot = path == "/"
        var path = path
        path.withUTF8 { pathBytes in
            let pathBytes = UnsafeRawBufferPointer(isRoot ? UnsafeBufferPointer(rebasing: pathBytes[0..<0]) : pathBytes)
            let size = 4 + pathBytes.count + 4 + (data?.count ?? 0) + 8 + PersistedStat.encodedSize
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { out in
                var at = out.storeBigEndian(Int32(pathBytes.count), at: 0)
                at = out.storeBytes(pathBytes, at: at)
                at = out.storeBigEndian(Int32(data.map { $0.count } ?? -1), at: at)
                if let data { at = out.storeBytes(data, at: at) }
                at = out.storeBigEndian(aclKey, at: at)
                return stat.store(into: out, at: at)
            }
        }
    }

    /// Appends the checksum of everything before it and "/": the bytes in `buffer`, after those
    /// `earlier` has checked (the pieces of a snapshot already written).
    static func seal(_ buffer: inout ByteBuffer, after earlier: Adler32 = Adler32()) {
        var adler = earlier
        adler.update(buffer.readableBytesView)
        buffer.writeJuteLong(Int64(adler.value))
        buffer.writeJuteString("/")
    }

    /// The file name of a snapshot at `zxid`: `snapshot.` and the zxid in lowercase hexadecimal,
    /// then `.gz` or `.snappy` when compressed.
    public static func fileName(zxid: Int64, compression: SnapshotCompression = .none) -> String {
        "snapshot." + String(UInt64(bitPattern: zxid), radix: 16) + compression.fileExtension
    }
}

/// Numbers each distinct ACL list from 1 in order of first use, as Apache ZooKeeper numbers its
/// ACL cache; world:anyone with every permission is ``SnapshotFile/openUnsafeACLKey``, left out.
struct ACLNumbering {
    private var keys: [[ACL]: Int64] = [ACL.openUnsafe: SnapshotFile.openUnsafeACLKey]
    /// Neighbouring nodes mostly share a list, and a tree's lists are interned: comparing with
    /// the last one is then one identity check instead of hashing the list.
    private var last: (acl: [ACL], key: Int64) = (ACL.openUnsafe, SnapshotFile.openUnsafeACLKey)
    /// Each numbered list under its number, in order.
    private(set) var cache: [(key: Int64, acl: [ACL])] = []

    mutating func key(of acl: [ACL]) -> Int64 {
        if acl == last.acl { return last.key }
        let key: Int64
        if let known = keys[acl] {
            key = known
        } else {
            key = Int64(cache.count + 1)
            keys[acl] = key
            cache.append((key, acl))
        }
        last = (acl, key)
        return key
    }
}

/// Finds each node's parent among the nodes before it (Apache ZooKeeper requires it there).
/// Snapshots list the tree depth first, so the parent is one of the last node's ancestors: a
/// stack of them answers without hashing. A file in another order is looked up in every path
/// that came before.
struct ParentsFirst {
    /// The last node and its ancestors, the root first, with their places in the node list.
    private var ancestors: [(path: String, place: Int32)] = []
    /// Every path so far, with its place: kept from the first node whose parent was not among the
    /// ancestors (the snapshot is not in preorder), built from `paths` then.
    private var known: [ExactString: Int32]?
    /// Every path so far, in order, for `known` to be built from.
    private var paths: [String] = []
    /// Whether the root came first.
    private(set) var sawRoot = false

    /// The place of `path`'s parent among the paths before it, nil when it is not there.
    mutating func parent(of path: String) -> Int32? {
        if known == nil {
            while let last = ancestors.last, !NodePath.isParent(last.path, of: path) { ancestors.removeLast() }
            if let found = ancestors.last { return found.place }
            known = Dictionary(
                paths.enumerated().map { (ExactString($1), Int32($0)) }, uniquingKeysWith: { $1 })
            paths = []
        }
        return known![ExactString(NodePath.split(path).parent)]
    }

    mutating func came(_ path: String, at place: Int32) {
        if place == 0 && path == "/" { sawRoot = true }
        if known == nil {
            ancestors.append((path, place))
            paths.append(path)
        } else {
            known![ExactString(path)] = place
        }
    }
}

extension UnsafeMutableRawBufferPointer {
    /// Stores `value` big-endian at `offset`, which may be unaligned; returns the offset after it.
    fileprivate func storeBigEndian<Integer: FixedWidthInteger>(_ value: Integer, at offset: Int) -> Int {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: Integer.self)
        return offset + MemoryLayout<Integer>.size
    }

    /// Copies `bytes` to `offset`; returns the offset after them.
    fileprivate func storeBytes(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Int {
        if let base = bytes.baseAddress, !bytes.isEmpty {
            (baseAddress! + offset).copyMemory(from: base, byteCount: bytes.count)
        }
        return offset + bytes.count
    }
}
