import Foundation
import NIOCore
import NIOEmbedded
import Testing
import ZooKeeperProtocol
import ZooKeeperTestSupport

@testable import ZooKeeperServer

/// The server's frame decoder and request handling fed valid, mutated and random connection
/// streams in-process: every input ends with the connection answered or closed, never a trap or
/// a hang, and the server keeps serving. Inputs are the seeds below, every file in
/// `Fuzz/corpus` (one connection's bytes each), and seeded mutations of both.
@Suite(.timeLimit(.minutes(3))) struct ServerFuzzTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus")

    /// A connection's frame bodies: a connect request, then requests with their headers.
    static func body(_ build: (inout ByteBuffer) -> Void) -> [UInt8] {
        var buffer = ByteBuffer()
        build(&buffer)
        return Array(buffer.readableBytesView)
    }

    static func request<R: ZooKeeperRequest>(_ xid: Int32, _ request: R) -> [UInt8] {
        body {
            RequestHeader(xid: xid, opCode: R.opCode).encode(into: &$0)
            request.encode(into: &$0)
        }
    }

    static let connect = body { ConnectRequest(timeout: 10_000).encode(into: &$0) }

    static func seeds() -> [[[UInt8]]] {
        let digest = Id.digest(user: "u", password: "p")
        let fields = CreateFields(path: "/a", data: [1, 2], acl: ACL.openUnsafe, mode: .persistent)
        return [
            [connect, request(1, CreateRequest(fields: fields)), request(2, GetDataRequest(path: "/a", watch: true))],
            [
                connect, request(1, AuthPacket(scheme: "digest", auth: Array("u:p".utf8))),
                request(
                    2,
                    Create2Request(
                        fields: CreateFields(
                            path: "/s", data: nil, acl: [ACL(permissions: .all, id: digest)], mode: .ephemeralSequential
                        ))),
                request(3, GetACLRequest(path: "/s0000000000")), request(4, WhoAmIRequest()),
            ],
            [
                connect,
                request(
                    1,
                    CreateContainerRequest(
                        fields: CreateFields(path: "/c", data: [], acl: ACL.openUnsafe, mode: .container))),
                request(
                    2, CreateTTLRequest(path: "/t", data: [], acl: ACL.openUnsafe, mode: .persistentWithTTL, ttl: 100)),
                request(3, SetDataRequest(path: "/c", data: [9], version: 0)), request(4, DeleteRequest(path: "/c")),
            ],
            [
                connect,
                request(
                    1,
                    MultiRequest(operations: [
                        .create(CreateRequest(fields: fields)), .check(CheckVersionRequest(path: "/a", version: 0)),
                        .setData(SetDataRequest(path: "/a", data: [3])), .delete(DeleteRequest(path: "/a")),
                    ])),
                request(
                    2,
                    MultiReadRequest(operations: [
                        .getData(GetDataRequest(path: "/")), .getChildren(GetChildrenRequest(path: "/")),
                    ])),
            ],
            [
                connect, request(1, AddWatchRequest(path: "/", mode: .persistentRecursive)),
                request(
                    2,
                    SetWatchesRequest(relativeZxid: 0, dataWatches: ["/a"], existWatches: ["/b"], childWatches: ["/"])),
                request(3, CheckWatchesRequest(path: "/", type: .any)),
                request(4, RemoveWatchesRequest(path: "/", type: .any)),
                request(5, GetChildren2Request(path: "/", watch: true)),
                request(6, ExistsRequest(path: "/x", watch: true)),
            ],
            [
                connect, request(1, SetACLRequest(path: "/", acl: ACL.openUnsafe, version: -1)),
                request(2, SyncRequest(path: "/")),
                request(3, GetAllChildrenNumberRequest(path: "/")), request(4, GetEphemeralsRequest(prefixPath: "/")),
                request(-2, PingRequest()), request(5, CloseSessionRequest()),
            ],
        ]
    }

    static func framed(_ bodies: [[UInt8]]) -> [UInt8] {
        bodies.flatMap { withUnsafeBytes(of: UInt32($0.count).bigEndian, Array.init) + $0 }
    }

    /// Mutations of one byte string, as a fuzzer makes them.
    static func mutate(_ input: [UInt8], using random: inout some RandomNumberGenerator) -> [UInt8] {
        let interesting: [UInt8] = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x2f]
        var bytes = input
        for _ in 0...Int.random(in: 0...3, using: &random) {
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where !bytes.isEmpty:
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            case 1 where !bytes.isEmpty:
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = interesting.randomElement(using: &random)!
            case 2 where !bytes.isEmpty:
                bytes.removeSubrange(Int.random(in: 0..<bytes.count, using: &random)...)
            case 3:
                bytes.insert(
                    contentsOf: (0..<Int.random(in: 1...8, using: &random)).map { _ in
                        interesting.randomElement(using: &random)!
                    }, at: Int.random(in: 0...bytes.count, using: &random))
            case 4 where bytes.count >= 4:
                // A 32-bit field set to an extreme: lengths, counts, versions, modes, opcodes.
                let at = Int.random(in: 0...(bytes.count - 4), using: &random)
                let extremes: [Int32] = [.max, .min, -1, 0, 0x3fff_ffff, 4096]
                let value = extremes.randomElement(using: &random)!
                withUnsafeBytes(of: value.bigEndian) { bytes.replaceSubrange(at..<(at + 4), with: $0) }
            default:
                if !bytes.isEmpty { bytes.remove(at: Int.random(in: 0..<bytes.count, using: &random)) }
            }
        }
        return bytes
    }

    @Test func corpusAndMutationsNeverBreakTheServer() async throws {
        let files = try FileManager.default.contentsOfDirectory(at: Self.corpus, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "bin" }.sorted { $0.path < $1.path }
        #expect(files.count >= 4, "the corpus at \(Self.corpus.path) is missing")
        let seeds = Self.seeds()
        let streams = seeds.map(Self.framed) + (try files.map { Array(try Data(contentsOf: $0)) })

        let harness = ServerFuzzHarness()
        // Every corpus entry as it is, fed whole and byte by byte.
        for stream in streams {
            try harness.feed(stream, chunk: stream.count)
            try harness.feed(stream, chunk: 1)
        }
        var random = SeededGenerator(seed: 0x2bad_f00d)
        // `make fuzz` asks for a longer run.
        let iterations = ProcessInfo.processInfo.environment["FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 20_000
        for iteration in 0..<iterations {
            let stream: [UInt8]
            switch iteration % 4 {
            case 0:
                // Structure-aware: one request body mutated, the frame lengths kept right.
                var bodies = seeds.randomElement(using: &random)!
                let index = Int.random(in: 1..<bodies.count, using: &random)
                bodies[index] = Self.mutate(bodies[index], using: &random)
                stream = Self.framed(bodies)
            case 1:
                // Spliced: requests from different connections, in random order.
                let pool = seeds.flatMap { $0.dropFirst() }
                stream = Self.framed(
                    [seeds[0][0]]
                        + (0..<Int.random(in: 1...8, using: &random)).map { _ in
                            pool.randomElement(using: &random)!
                        })
            case 2:
                // Raw: the whole stream, framing included.
                stream = Self.mutate(streams.randomElement(using: &random)!, using: &random)
            default:
                // A valid connect, then a random request header and random bytes.
                let body =
                    withUnsafeBytes(of: Int32.random(in: -3...200, using: &random).bigEndian, Array.init)
                    + withUnsafeBytes(of: Int32.random(in: -12...110, using: &random).bigEndian, Array.init)
                    + (0..<Int.random(in: 0...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random)
                    }
                stream = Self.framed([seeds[0][0], body])
            }
            try harness.feed(stream, chunk: Int.random(in: 1...max(1, stream.count), using: &random))
            if iteration % 200 == 0 { harness.tick() }
            // Every connection's state goes with it.
            #expect(harness.core.connections.isEmpty)
        }

        // The server still serves: a fresh connection creates a node (as the super user: the
        // fuzzing may have set any ACL on the root).
        let create = CreateFields(path: "/fuzz-check", data: [1], acl: ACL.openUnsafe, mode: .persistent)
        let check = [
            Self.connect, Self.request(-4, AuthPacket(scheme: "digest", auth: Array("super:s".utf8))),
            Self.request(1, CreateRequest(fields: create)),
        ]
        var replies = ByteBuffer(bytes: try harness.feed(Self.framed(check), chunk: 4096))
        var headers: [(xid: Int32?, error: Int32?)] = []
        while let length = replies.readInteger(as: Int32.self), var frame = replies.readSlice(length: Int(length)) {
            headers.append((frame.readInteger(), frame.getInteger(at: frame.readerIndex + 8)))
        }
        // The connect response, then the auth and create replies, both ok.
        #expect(headers.count == 3)
        #expect(headers.dropFirst().map(\.xid) == [-4, 1])
        #expect(headers.dropFirst().map(\.error) == [0, 0], "the server no longer creates nodes")
        #expect(harness.core.database.tree.nodeCount < 2 * iterations)
        // Abandoned sessions expire, ephemerals and watches with them: whatever the run's length,
        // what it leaves behind is bounded. (Waits out the longest session timeout, 2 s.)
        let live = harness.core.sessions.count
        try await Task.sleep(for: .milliseconds(2200))
        harness.tick()
        #expect(harness.core.sessions.count == 0)
        print(
            "server fuzz: \(streams.count) corpus streams and \(iterations) mutations, \(harness.replies) replies, "
                + "\(harness.closedByServer) connections closed by the server, \(harness.core.database.tree.nodeCount) nodes, "
                + "\(live) sessions live at the end, expired 2 s later")
    }

    @Test func aLengthHeaderClaimingTwoGigabytesClosesTheConnectionAtOnce() throws {
        let harness = ServerFuzzHarness()
        let connect = Self.framed([Self.connect])
        let headers: [[UInt8]] = [[0x7f, 0xff, 0xff, 0xff], [0x80, 0x00, 0x00, 0x00], [0x00, 0x00, 0x10, 0x01]]
        // Alone, and after a handshake (mid-session).
        for header in headers + headers.map({ connect + $0 }) {
            let channel = EmbeddedChannel(loop: harness.loop)
            try channel.pipeline.syncOperations.addHandler(ServerConnectionHandler(core: harness.core))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000)).wait()
            // The header alone: the decoder refuses it before any body arrives or is buffered.
            try channel.writeInbound(ByteBuffer(bytes: header))
            harness.loop.run()
            #expect(!channel.isActive, "a \(header) length header left the connection open")
            #expect(harness.core.connections.isEmpty)
            channel.close(promise: nil)
        }
    }
}
