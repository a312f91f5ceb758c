import CoreMetrics
import InMemoryTracing
import MetricsTestKit
import Testing
import Tracing
import ZooKeeperProtocol
import ZooKeeperServer
import ZooKeeperTestSupport

@testable import ZooKeeper

/// A client made while a metrics backend and a tracer are bound reports its requests, errors,
/// reconnections, expiries and watch events, and a span per request; one made without any has
/// no instruments at all.
@Suite(.timeLimit(.minutes(3))) struct ClientInstrumentsTests {
    typealias Names = ZooKeeperClient.MetricNames

    /// A client made while a fresh metrics backend and tracer are bound, and the two.
    static func instrumentedClient(
        _ server: ZooKeeperServer, through connectString: String? = nil,
        configuration: ZooKeeperClient.Configuration = .init()
    ) async throws -> (ZooKeeperClient, TestMetrics, InMemoryTracer) {
        let metrics = TestMetrics()
        let tracer = InMemoryTracer()
        let zk = try await withMetricsFactory(metrics) {
            try await withTracer(tracer) {
                try await ZooKeeperClient.connect(connectString ?? server.connectString, configuration: configuration)
            }
        }
        return (zk, metrics, tracer)
    }

    @Test func aClientReportsMetricsAndSpans() async throws {
        try await ZooKeeperServer.withServer { server in
            let (zk, metrics, tracer) = try await Self.instrumentedClient(server)
            try await zk.create("/m", data: "one")
            _ = try await zk.getData("/m")
            await #expect(throws: ZooKeeperError.self) { try await zk.getData("/missing") }

            #expect(try metrics.expectCounter(Names.requests, [("opcode", "create2")]).totalValue == 1)
            #expect(try metrics.expectCounter(Names.requests, [("opcode", "getData")]).totalValue == 2)
            #expect(
                try metrics.expectCounter(Names.errors, [("opcode", "getData"), ("code", "NoNode")]).totalValue == 1)
            #expect(try metrics.expectTimer(Names.requestDuration, [("opcode", "getData")]).values.count == 2)
            #expect(try metrics.expectMeter(Names.outstandingRequests).lastValue == 0)

            let spans = tracer.finishedSpans.filter { $0.operationName == "ZooKeeper getData" }
            #expect(spans.count == 2)
            #expect(spans.allSatisfy { $0.kind == .client })
            #expect(spans.first?.attributes["zookeeper.path"]?.toSpanAttribute() == "/m")
            #expect(spans.first?.attributes["zookeeper.opcode"]?.toSpanAttribute() == "getData")
            let failed = try #require(spans.first { $0.attributes["zookeeper.path"]?.toSpanAttribute() == "/missing" })
            #expect(failed.errors.count == 1)
            #expect(failed.attributes["zookeeper.error_code"]?.toSpanAttribute() == "NoNode")

            // A watch event, a reconnection, an expiry (after which the client starts a new session).
            let watched = try await zk.watchData("/m")
            try await zk.setData("/m", data: "two")
            for try await _ in watched.watch { break }
            #expect(try metrics.expectCounter(Names.watchEvents, [("type", "NodeDataChanged")]).totalValue == 1)
            try await server.dropConnections()
            try await eventually { (try? metrics.expectCounter(Names.reconnections).totalValue) == 1 }
            _ = try await server.expireSession(try await zk.session().id)
            try await eventually { (try? metrics.expectCounter(Names.sessionExpirations).totalValue) == 1 }
            try await zk.close()
        }
    }

    /// A batch call counts each of its requests, each failure as an error of its code, and is
    /// one span naming its size.
    @Test func aBatchCallIsMeasuredAndTraced() async throws {
        try await ZooKeeperServer.withServer { server in
            let (zk, metrics, tracer) = try await Self.instrumentedClient(server)
            try await zk.create("/b", data: "one")
            let results = try await zk.getData(["/b", "/missing", "/b"])
            #expect(results.map { (try? $0.get()) != nil } == [true, false, true])

            #expect(try metrics.expectCounter(Names.requests, [("opcode", "getData")]).totalValue == 3)
            #expect(
                try metrics.expectCounter(Names.errors, [("opcode", "getData"), ("code", "NoNode")]).totalValue == 1)
            #expect(try metrics.expectTimer(Names.requestDuration, [("opcode", "getData")]).values.count == 1)
            #expect(try metrics.expectMeter(Names.outstandingRequests).lastValue == 0)
            let span = try #require(tracer.finishedSpans.first { $0.operationName == "ZooKeeper getData batch" })
            #expect(span.attributes["zookeeper.batch_size"]?.toSpanAttribute() == 3)
            #expect(span.attributes["zookeeper.failed"]?.toSpanAttribute() == 1)
            try await zk.close()
        }
    }

    /// Requests waiting on a frozen connection are outstanding, single and batched; cancelled,
    /// they are outstanding no more, and each counts as an error of its code when it has one.
    @Test func requestsCancelledOnAFrozenConnectionAreNoLongerOutstanding() async throws {
        try await ZooKeeperServer.withServer { server in
            let proxy = try await TCPProxy.start(upstreamPort: server.port)
            defer { proxy.stop() }
            // A session that outlives the test's freeze: only the cancellation ends the requests.
            var configuration = ZooKeeperClient.Configuration()
            configuration.sessionTimeout = .seconds(60)
            configuration.requestTimeout = .seconds(600)
            let (zk, metrics, tracer) = try await Self.instrumentedClient(
                server, through: "127.0.0.1:\(proxy.port)", configuration: configuration)
            try await zk.create("/f", data: "one")
            proxy.stall()
            let single = Task { try await zk.getData("/f") }
            let batch = Task { try await zk.getData(["/f", "/f"]) }
            try await eventually(within: .seconds(60)) {
                (try? metrics.expectMeter(Names.outstandingRequests).lastValue) == 3
            }
            single.cancel()
            batch.cancel()
            await #expect(throws: CancellationError.self) { try await single.value }
            await #expect(throws: CancellationError.self) { try await batch.value }
            try await eventually(within: .seconds(60)) {
                (try? metrics.expectMeter(Names.outstandingRequests).lastValue) == 0
            }
            #expect(try metrics.expectCounter(Names.requests, [("opcode", "getData")]).totalValue == 3)
            let spans = tracer.finishedSpans.filter { $0.operationName.hasPrefix("ZooKeeper getData") }
            #expect(spans.count == 2 && spans.allSatisfy { $0.errors.count == 1 })
            // Thawed (the proxy dropped what it held, so the connection may have to start again),
            // the client goes on.
            proxy.unstall()
            try await eventually(within: .seconds(60)) { (try? await zk.getData("/f"))?.data == Array("one".utf8) }
            try await zk.close()
        }
    }

    @Test func aClientWithoutBackendsHasNoInstruments() async throws {
        try await ZooKeeperServer.withServer { server in
            let zk = try await ZooKeeperClient.connect(server.connectString)
            #expect(zk.core.instruments == nil)
            try await zk.close()
        }
    }

    @Test func theServerRecordsWhatMntrReportsUnderApacheNames() async throws {
        try await ZooKeeperServer.withServer { server in
            let zk = try await ZooKeeperClient.connect(server.connectString)
            let before = TestMetrics()
            try await server.recordMetrics(factory: before)
            try await zk.create("/a", data: "x")
            try await zk.create("/a/e", mode: .ephemeral)
            let metrics = TestMetrics()
            try await server.recordMetrics(factory: metrics)
            let nodes = try #require(try metrics.expectRecorder("znode_count").lastValue)
            #expect(try before.expectRecorder("znode_count").lastValue == nodes - 2)
            #expect(try metrics.expectRecorder("ephemerals_count").lastValue == 1)
            #expect(try metrics.expectRecorder("num_alive_connections").lastValue == 1)
            #expect(try metrics.expectRecorder("global_sessions").lastValue == 1)
            #expect(try metrics.expectRecorder("packets_received").lastValue ?? 0 >= 2)
            #expect(throws: (any Error).self) { try metrics.expectRecorder("version") }
            try await zk.close()
        }
    }
}
