import CoreMetrics
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import Synchronization
import ZooKeeperServer

/// `zk serve --metrics-port`: the server's figures in Prometheus text format, over HTTP at
/// `/metrics` (as Apache ZooKeeper's `PrometheusMetricsProvider` serves them on its
/// `metricsProvider.httpPort`), recorded afresh for each scrape.
///
/// It listens before the server starts, so that a port it cannot have fails `zk serve` before
/// anything is served; scrapes before ``serve(_:)`` find no figures.
final class MetricsEndpoint: Sendable {
    private let channel: any Channel
    private let source: ScrapeSource
    /// The port it listens on.
    let port: Int

    private init(channel: any Channel, source: ScrapeSource) {
        self.channel = channel
        self.source = source
        port = channel.localAddress?.port ?? 0
    }

    /// Listens on `host`:`port` (0 picks a free one).
    static func start(host: String, port: Int) async throws -> MetricsEndpoint {
        let source = ScrapeSource()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    try child.pipeline.syncOperations.addHandler(ScrapeHandler(source: source))
                }
            }
            .bind(host: host, port: port).get()
        return MetricsEndpoint(channel: channel, source: source)
    }

    /// Serves `server`'s figures from now on.
    func serve(_ server: ZooKeeperServer) {
        source.server.withLock { $0 = server }
    }

    /// Stops listening.
    func close() async {
        try? await channel.close().get()
    }
}

/// What a scrape reads: the server's figures, recorded into a registry of the endpoint's own.
private final class ScrapeSource: Sendable {
    let server = Mutex<ZooKeeperServer?>(nil)
    private let registry = PrometheusCollectorRegistry()

    /// The registry's text after recording the server's figures in it.
    func scrape() async -> [UInt8] {
        if let server = server.withLock({ $0 }) {
            try? await server.recordMetrics(factory: PrometheusMetricsFactory(registry: registry))
        }
        return registry.emitToBuffer()
    }
}

/// Answers `GET /metrics` with the scrape, anything else with 404 (or 405 for other methods).
private final class ScrapeHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let source: ScrapeSource
    private var head: HTTPRequestHead?

    init(source: ScrapeSource) {
        self.source = source
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head else { return }
            self.head = nil
            let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
            guard head.method == .GET || head.method == .HEAD else {
                return respond(context, head, status: .methodNotAllowed, body: Array("GET only\n".utf8))
            }
            guard path == "/metrics" else {
                return respond(context, head, status: .notFound, body: Array("not found: try /metrics\n".utf8))
            }
            let source = self.source
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let eventLoop = context.eventLoop
            Task {
                let body = await source.scrape()
                eventLoop.execute {
                    let (handler, context) = loopBound.value
                    handler.respond(context, head, status: .ok, body: body)
                }
            }
        }
    }

    private func respond(
        _ context: ChannelHandlerContext, _ request: HTTPRequestHead, status: HTTPResponseStatus, body: [UInt8]
    ) {
        var headers = HTTPHeaders()
        headers.add(
            name: "Content-Type", value: status == .ok ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain")
        headers.add(name: "Content-Length", value: "\(body.count)")
        if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: request.version, status: status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if request.method != .HEAD {
            context.write(
                wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let keepAlive = request.isKeepAlive
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [channel = context.channel] _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }
}
