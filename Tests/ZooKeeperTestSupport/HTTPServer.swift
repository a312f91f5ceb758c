import NIOCore
import NIOPosix

/// A loopback server that answers whatever it reads as a web server would a bad request, then
/// closes: what a ZooKeeper client meets when the port it was given belongs to a web server.
public final class HTTPServer: Sendable {
    private let channel: any Channel
    /// The port it listens on (on 127.0.0.1).
    public let port: Int

    private init(channel: any Channel) {
        self.channel = channel
        port = channel.localAddress?.port ?? 0
    }

    public static func start() async throws -> HTTPServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture { try child.pipeline.syncOperations.addHandler(BadRequest()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return HTTPServer(channel: channel)
    }

    public func stop() async throws {
        try await channel.close()
    }
}

/// Answers the first bytes it reads with `400 Bad Request` and closes.
private final class BadRequest: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let answer = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        let channel = context.channel
        context.writeAndFlush(NIOAny(ByteBuffer(string: answer))).whenComplete { _ in channel.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
