import NIOCore
import ZooKeeperProtocol

/// The whole state at one zxid: every node and every session.
struct Snapshot: Sendable {
    var lastZxid: Int64
    var nodes: [(path: String, node: DataNode)]
    var sessions: [(id: Int64, timeout: Int32, password: [UInt8])]

    static let magic: UInt32 = 0x5A4B_534E  // "ZKSN"

    /// The file body: magic, CRC of the payload, payload.
    func encoded() -> ByteBuffer {
        var payload = ByteBuffer()
        payload.writeJuteLong(lastZxid)
        payload.writeJuteInt(Int32(nodes.count))
        for (path, node) in nodes {
            payload.writeJuteString(path)
            payload.writeJuteBuffer(node.data)
            payload.writeJuteACLs(node.acl)
            for value in [node.czxid, node.mzxid, node.ctime, node.mtime, node.ephemeralOwner, node.pzxid, node.ttl] {
                payload.writeJuteLong(value)
            }
            for value in [node.version, node.childrenCreated, node.aversion, node.mode.rawValue] {
                payload.writeJuteInt(value)
            }
        }
        payload.writeJuteInt(Int32(sessions.count))
        for session in sessions {
            payload.writeJuteLong(session.id)
            payload.writeJuteInt(session.timeout)
            payload.writeJuteBuffer(session.password)
        }
        var file = ByteBuffer()
        file.writeInteger(Self.magic)
        file.writeInteger(CRC32.checksum(payload.readableBytesView))
        file.writeBuffer(&payload)
        return file
    }

    init(
        lastZxid: Int64, nodes: [(path: String, node: DataNode)],
        sessions: [(id: Int64, timeout: Int32, password: [UInt8])]
    ) {
        self.lastZxid = lastZxid
        self.nodes = nodes
        self.sessions = sessions
    }

    /// Reads a snapshot file; nil when it is torn or corrupt.
    init?(file: ByteBuffer) {
        var file = file
        guard file.readInteger(as: UInt32.self) == Self.magic, let crc = file.readInteger(as: UInt32.self),
            CRC32.checksum(file.readableBytesView) == crc
        else { return nil }
        do {
            lastZxid = try file.readJuteLong()
            let nodeCount = try file.readJuteInt()
            nodes = []
            for _ in 0..<max(nodeCount, 0) {
                let path = try file.readJuteNonNullString()
                var node = DataNode(
                    data: try file.readJuteBuffer(), acl: try file.readJuteACLs(), zxid: 0, time: 0, mode: .persistent)
                node.czxid = try file.readJuteLong()
                node.mzxid = try file.readJuteLong()
                node.ctime = try file.readJuteLong()
                node.mtime = try file.readJuteLong()
                node.ephemeralOwner = try file.readJuteLong()
                node.pzxid = try file.readJuteLong()
                node.ttl = try file.readJuteLong()
                node.version = try file.readJuteInt()
                node.childrenCreated = try file.readJuteInt()
                node.aversion = try file.readJuteInt()
                node.mode = CreateMode(rawValue: try file.readJuteInt())
                nodes.append((path, node))
            }
            let sessionCount = try file.readJuteInt()
            sessions = []
            for _ in 0..<max(sessionCount, 0) {
                sessions.append((try file.readJuteLong(), try file.readJuteInt(), try file.readJuteBuffer() ?? []))
            }
        } catch {
            return nil
        }
    }
}
