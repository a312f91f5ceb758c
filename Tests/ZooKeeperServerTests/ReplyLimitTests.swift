import Foundation
import NIOCore
import Testing
import ZooKeeperProtocol
import ZooKeeperServer
import ZooKeeperTestSupport

@testable import ZooKeeper

/// The client's reply limit (`Configuration.maxReplyLength`): replies far over `jute.maxbuffer`
/// are read by default; a reply over the limit fails its own request with ReplyTooLarge while
/// the connection, the session and the requests around it go on.
@Suite(.timeLimit(.minutes(5))) struct ReplyLimitTests {
    /// A reply frame: length, header, then `body`.
    static func replyFrame(xid: Int32, zxid: Int64 = 7, body: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeJuteFrame { frame in
            ReplyHeader(xid: xid, zxid: zxid, error: .ok).encode(into: &frame)
            frame.writeBytes(body)
        }
        return buffer
    }

    @Test func theDecoderSkipsAnOversizedReplyAndGoesOnWithTheNextFrame() throws {
        var decoder = ClientFrameDecoder(maxReplyLength: 64)
        var input = ByteBuffer()
        input.writeInteger(Int32(3))
        input.writeString("abc")
        let big = Self.replyFrame(xid: 5, body: Array(repeating: 9, count: 1000))
        let small = Self.replyFrame(xid: 6, body: [1, 2, 3])
        #expect(try decoder.decode(buffer: &input) == .frame(ByteBuffer(string: "abc")))
        #expect(try decoder.decode(buffer: &input) == nil)

        // The oversized frame arrives in pieces: its header is yielded as soon as it is in, the
        // rest is dropped as it comes, and never held.
        var pieces = big
        var first = pieces.readSlice(length: 30)!
        #expect(
            try decoder.decode(buffer: &first)
                == .oversized(ReplyHeader(xid: 5, zxid: 7, error: .ok), length: 1016))
        #expect(try decoder.decode(buffer: &first) == nil)
        #expect(first.readableBytes == 0)
        var rest = pieces
        rest.writeImmutableBuffer(small)
        #expect(try decoder.decode(buffer: &rest) == .frame(small.getSlice(at: 4, length: small.readableBytes - 4)!))
        #expect(rest.readableBytes == 0)
    }

    @Test func aNegativeFrameLengthStillEndsTheConnection() throws {
        var decoder = ClientFrameDecoder(maxReplyLength: 64)
        var input = ByteBuffer()
        input.writeInteger(Int32(0))
        input.writeInteger(Int32(-5))
        #expect(try decoder.decode(buffer: &input) == .frame(ByteBuffer()))
        #expect(throws: JuteError.self) { try decoder.decode(buffer: &input) }
    }

    @Test func theDefaultLimitReadsRepliesFarOverJuteMaxbuffer() {
        #expect(ZooKeeperClient.Configuration().maxReplyLength == 128 << 20)
        #expect(ZooKeeperClient.Configuration().maxFrameLength == 0xfffff)
    }

    @Test func aReplyOverTheLimitFailsItsRequestAloneOnBothServers() async throws {
        for apache in [false, true] {
            try await Self.withAddress(apache: apache) { address in
                let admin = try await ZooKeeperClient.connect(
                    address, configuration: SharedApacheZooKeeper.configuration())
                try await admin.create("/wide")
                // 300 children of 20-byte names: about 7 KB of reply.
                let names = (0..<300).map { String(format: "child-%014d", $0) }
                _ = try await admin.create(names.map { ("/wide/" + $0, []) })

                var configuration = SharedApacheZooKeeper.configuration()
                configuration.maxReplyLength = 4096
                let limited = try await ZooKeeperClient.connect(address, configuration: configuration)
                let session = try await limited.session().credentials
                await #expect(
                    throws: ZooKeeperError(
                        .replyTooLarge, "the reply of 7220 bytes is over the client's limit of 4096 bytes",
                        path: "/wide")
                ) {
                    try await limited.getChildren("/wide")
                }
                // Requests sent together with it get their own replies.
                let results = try await limited.getChildren(["/wide/" + names[0], "/wide", "/wide/" + names[1]])
                #expect(try results[0].get() == [] && results[2].get() == [])
                #expect(throws: ZooKeeperError.self) { try results[1].get() }
                if case .failure(let error) = results[1] { #expect(error.code == .replyTooLarge) }
                // Same connection and session: nothing was lost.
                #expect(try await limited.session().credentials == session)
                #expect(try await limited.exists("/wide")?.numChildren == 300)
                try await limited.close()

                #expect(try await admin.getChildren("/wide").sorted() == names)
                _ = try await admin.delete(names.map { "/wide/" + $0 } + ["/wide"])
                try await admin.close()
            }
        }
    }

    /// Runs `body` with the address of an embedded server, or of the shared Apache ZooKeeper
    /// under a fresh chroot.
    static func withAddress(apache: Bool, _ body: (String) async throws -> Void) async throws {
        if apache {
            let hosts = try await SharedApacheZooKeeper.connectString()
            let root = "/reply-limit-\(UInt32.random(in: 0...UInt32.max))"
            let admin = try await ZooKeeperClient.connect(hosts, configuration: SharedApacheZooKeeper.configuration())
            try await admin.create(root)
            try await admin.close()
            try await body(hosts + root)
        } else {
            try await ZooKeeperServer.withServer(configuration: .init(port: 0)) { server in
                try await body(server.connectString)
            }
        }
    }
}
