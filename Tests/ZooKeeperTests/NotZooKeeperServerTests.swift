import NIOCore
import Testing

@testable import ZooKeeper

/// Telling another kind of server from a ZooKeeper server by the first bytes of its answer.
@Suite struct NotZooKeeperServerTests {
    @Test(arguments: [
        ("HTTP/1.1 400 Bad Request\r\n", NotZooKeeperServer.Kind.http),
        ("SSH-2.0-OpenSSH_9.2p1\r\n", .ssh),
        (
            "-ERR unknown command 'x', with args beginning with: \r\n",
            .text("-ERR unknown command 'x', with args begi...")
        ),
        ("220 mail.example ESMTP\r\n", .text("220 mail.example ESMTP")),
    ])
    func textProtocols(_ answer: String, _ kind: NotZooKeeperServer.Kind) {
        #expect(NotZooKeeperServer(firstBytes: Array(answer.utf8)) == NotZooKeeperServer(kind: kind))
    }

    @Test func tlsAndBinaryAnswers() {
        // A TLS alert record, as a TLS server answers bytes that are not a ClientHello.
        #expect(NotZooKeeperServer(firstBytes: [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46])?.kind == .tls)
        #expect(NotZooKeeperServer(firstBytes: [0x00, 0x00, 0x10, 0x00])?.kind == .unknown)
        #expect(NotZooKeeperServer(firstBytes: [0xff, 0xff, 0xff, 0xff])?.kind == .unknown)
    }

    /// A connect response (37 bytes) and a read-only server's refusal (a 16-byte reply header).
    @Test func handshakeRepliesPass() {
        #expect(NotZooKeeperServer(firstBytes: [0, 0, 0, 37, 0, 0]) == nil)
        #expect(NotZooKeeperServer(firstBytes: [0, 0, 0, 16]) == nil)
    }

    @Test func descriptions() {
        #expect(
            NotZooKeeperServer(kind: .http).description
                == "this is not a ZooKeeper server (it answered like an HTTP server)")
        #expect(
            NotZooKeeperServer(kind: .text("220 mail")).description
                == "this is not a ZooKeeper server (it answered \"220 mail\")")
        #expect(
            NotZooKeeperServer(kind: .tls).description
                == "the server answered with TLS: this port needs a TLS connection")
    }

    @Test func theDecoderChecksTheFirstBytesOnly() throws {
        var decoder = ClientFrameDecoder(maxReplyLength: 1 << 20)
        var partial = ByteBuffer(string: "HTT")
        #expect(try decoder.decode(buffer: &partial) == nil)
        partial.writeString("P/1.1 200 OK\r\n")
        #expect(throws: NotZooKeeperServer(kind: .http)) { try decoder.decode(buffer: &partial) }

        // Frames after a plausible first one go through, whatever their size.
        var frames = ClientFrameDecoder(maxReplyLength: 1 << 20)
        var buffer = ByteBuffer()
        buffer.writeInteger(Int32(3))
        buffer.writeString("abc")
        buffer.writeInteger(Int32(5000))
        buffer.writeRepeatingByte(7, count: 5000)
        #expect(try frames.decode(buffer: &buffer) == .frame(ByteBuffer(string: "abc")))
        guard case .frame(let frame) = try frames.decode(buffer: &buffer) else {
            Issue.record("the second frame was not yielded whole")
            return
        }
        #expect(frame.readableBytes == 5000)
    }
}
