import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ZooKeeperProtocol

/// A fake ZooKeeper server for protocol paths a real one does not take: it answers the handshake
/// with the bytes it is given and every request through a script.
final class ScriptedServer: Sendable {
    /// What to send back for one request: whole frames' bodies, in order.
    typealias Script = @Sendable (_ header: RequestHeader, _ body: ByteBuffer, _ connection: Int) -> [ByteBuffer]

    private let channel: NIOLockedValueBox<(any Channel)?> = NIOLockedValueBox(nil)
    private let connections = NIOLockedValueBox(0)
    let connectResponse: @Sendable (_ connection: Int) -> ByteBuffer
    let script: Script

    var port: Int { channel.withLockedValue { $0?.localAddress?.port ?? 0 } }
    var connectionCount: Int { connections.withLockedValue { $0 } }

    private init(connectResponse: @escaping @Sendable (Int) -> ByteBuffer, script: @escaping Script) {
        self.connectResponse = connectResponse
        self.script = script
    }

    static func start(
        connectResponse: @escaping @Sendable (Int) -> ByteBuffer, script: @escaping Script
    ) async throws -> ScriptedServer {
        let server = ScriptedServer(connectResponse: connectResponse, script: script)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                let number = server.connections.withLockedValue {
                    $0 += 1
                    return $0
                }
                return child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(JuteFrameDecoder()), Responder(server: server, connection: number))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        server.channel.withLockedValue { $0 = channel }
        return server
    }

    func stop() {
        channel.withLockedValue { $0?.close(promise: nil) }
    }

    /// A connect response body for session `id`, with or without the trailing read-only flag.
    static func connectResponse(sessionID: Int64, timeout: Int32 = 4000, readOnlyFlag: Bool?) -> ByteBuffer {
        ConnectResponse(
            timeout: timeout, sessionID: sessionID, password: Array(repeating: 9, count: 16), readOnly: readOnlyFlag
        ).juteEncoded()
    }

    /// A reply body: header and record.
    static func reply(xid: Int32, zxid: Int64 = 1, error: ErrorCode = .ok, _ record: some JuteEncodable) -> ByteBuffer {
        var buffer = ByteBuffer()
        ReplyHeader(xid: xid, zxid: zxid, error: error).encode(into: &buffer)
        if error == .ok { record.encode(into: &buffer) }
        return buffer
    }

    private final class Responder: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let server: ScriptedServer
        let connection: Int
        let handshaken = NIOLockedValueBox(false)

        init(server: ScriptedServer, connection: Int) {
            self.server = server
            self.connection = connection
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var frame = unwrapInboundIn(data)
            let replies: [ByteBuffer]
            if !handshaken.withLockedValue({ $0 }) {
                handshaken.withLockedValue { $0 = true }
                replies = [server.connectResponse(connection)]
            } else {
                guard let header = try? RequestHeader(from: &frame) else { return context.close(promise: nil) }
                replies = server.script(header, frame, connection)
            }
            for body in replies {
                var out = context.channel.allocator.buffer(capacity: body.readableBytes + 4)
                out.writeJuteFrame { $0.writeImmutableBuffer(body) }
                context.write(NIOAny(out), promise: nil)
            }
            context.flush()
        }
    }
}
