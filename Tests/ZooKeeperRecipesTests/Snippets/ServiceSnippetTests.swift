import CoreMetrics
import InMemoryTracing
import Logging
import Prometheus
import ServiceLifecycle
import Testing
import Tracing
import ZooKeeper
import ZooKeeperRecipes
import ZooKeeperServer
import ZooKeeperTestSupport

/// The snippets about services, metrics and tracing, word for word (`SnippetDriftTests` checks
/// that): the documentation comments of the `Service` conformances, `ExclusiveJob`,
/// `RegistrationService` and `recordMetrics`, and the articles "Using swift-zookeeper in a
/// service" and "Metrics and tracing", each run against the embedded server.
@Suite(.timeLimit(.minutes(2))) struct ServiceSnippetTests: SnippetSuite {
    typealias ZooKeeperClient = SnippetClient

    let log = SnippetLog()
    let logger = Logger(label: "snippet") { _ in SwiftLogNoOpLogHandler() }

    func runNightlyCleanup() async throws {
        log.record("runNightlyCleanup")
        while true { try await Task.sleep(for: .milliseconds(20)) }
    }

    // MARK: ZooKeeperClient+Service.swift

    @Test func aClientInAServiceGroup() async throws {
        try await withSnippetServer { admin in
            let running = log.background {
                let zk = try ZooKeeperClient.start("127.0.0.1:2181")
                let group = ServiceGroup(services: [zk], logger: logger)
                try await group.run()
            }
            // Another session's requests go on meanwhile; the group ends when cancelled.
            try await admin.create("/meanwhile")
            running.cancel()
            try await running.value
        }
    }

    // MARK: ZooKeeperServer+Service.swift, UsingInAService.md

    @Test func aServerInAServiceGroup() async throws {
        var configuration = ZooKeeperServer.Configuration()
        configuration.port = try freePort()
        let running = log.background { [configuration] in
            let server = try await ZooKeeperServer.start(configuration: configuration)
            let group = ServiceGroup(services: [server], logger: logger)
            try await group.run()
        }
        var served: ZooKeeper.ZooKeeperClient?
        try await eventually {
            served = try? await ZooKeeper.ZooKeeperClient.connect("127.0.0.1:\(configuration.port)")
            return served != nil
        }
        let zk = try #require(served)
        try await zk.create("/served")
        try await zk.close()
        running.cancel()
        try await running.value
    }

    // MARK: ExclusiveJob.swift

    @Test func anExclusiveJob() async throws {
        try await withSnippetServer { zk in
            let running = log.background {
                let election = LeaderElection(client: zk, path: "/election/reports", id: "node-1")
                let reports = ExclusiveJob(election: election, client: zk) {
                    while !Task.isCancelled { try await Task.sleep(for: .seconds(60)) }
                }
                let group = ServiceGroup(services: [zk, reports], logger: logger)
                try await group.run()
            }
            let admin = try await connectToSnippetServer()
            try await log.until { _ in (try? await admin.getChildren("/election/reports").count) == 1 }
            running.cancel()
            try await running.value
            #expect(try await admin.getChildren("/election/reports").isEmpty)
        }
    }

    // MARK: RegistrationService.swift

    @Test func aRegistrationService() async throws {
        try await withSnippetServer { zk in
            let running = log.background {
                let registry = ServiceRegistry(client: zk)
                let instance = ServiceInstance(name: "api", address: "10.0.0.7", port: 8080)
                let registration = RegistrationService(registry: registry, instance: instance)
                let group = ServiceGroup(services: [zk, registration], logger: logger)
                try await group.run()
            }
            let registry = ServiceRegistry(client: try await connectToSnippetServer())
            try await log.until { _ in try await registry.instances(of: "api").count == 1 }
            running.cancel()
            try await running.value
            #expect(try await registry.instances(of: "api").isEmpty)
        }
    }

    // MARK: UsingInAService.md

    @Test func aServiceWithARegistrationAndAJobWhileLeading() async throws {
        try await withSnippetServer { admin in
            let running = log.background {
                let zk = try ZooKeeperClient.start("zk1:2181,zk2:2181,zk3:2181")
                let instance = ServiceInstance(name: "api", address: "10.0.0.7", port: 8080)
                let registration = RegistrationService(registry: ServiceRegistry(client: zk), instance: instance)
                let election = LeaderElection(client: zk, path: "/election/api", id: instance.id)
                let cleanup = ExclusiveJob(election: election, client: zk) {
                    try await runNightlyCleanup()
                }
                let group = ServiceGroup(services: [zk, registration, cleanup], logger: logger)
                try await group.run()
            }
            let registry = ServiceRegistry(client: admin)
            try await log.until { $0 == ["runNightlyCleanup"] }
            try await log.until { _ in try await registry.instances(of: "api").count == 1 }
            running.cancel()
            try await running.value
            #expect(try await registry.instances(of: "api").isEmpty)
            #expect(try await admin.getChildren("/election/api").isEmpty)
        }
    }

    // MARK: ZooKeeperServer+Metrics.swift

    @Test func recordingTheServersMetrics() async throws {
        try await ZooKeeperServer.withServer { server in
            try await server.recordMetrics(factory: MetricsSystem.factory)
        }
    }

    // MARK: MetricsAndTracing.md

    @Test func aClientsMetricsInPrometheusFormat() async throws {
        try await withSnippetServer { admin in
            try await admin.create("/config", data: "v1")

            let registry = PrometheusCollectorRegistry()
            let zk = try await withMetricsFactory(PrometheusMetricsFactory(registry: registry)) {
                try await ZooKeeperClient.connect("zk1:2181,zk2:2181,zk3:2181")
            }
            _ = try await zk.getData("/config")
            print(registry.emitToString())

            let text = try #require(log.lines.first)
            #expect(text.contains(#"zookeeper_client_requests_total{opcode="getData"} 1"#))
            #expect(text.contains("zookeeper_client_request_duration_seconds"))
        }
    }

    @Test func aClientsSpans() async throws {
        try await withSnippetServer { _ in
            let tracer = InMemoryTracer()
            let zk = try await withTracer(tracer) {
                try await ZooKeeperClient.connect("zk1:2181,zk2:2181,zk3:2181")
            }
            try await zk.create("/traced")
            #expect(tracer.finishedSpans.map(\.operationName) == ["ZooKeeper create2"])
        }
    }
}
