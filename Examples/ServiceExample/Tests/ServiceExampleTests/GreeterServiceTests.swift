import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceExample
import ServiceLifecycle
import Synchronization
import Testing
import ZooKeeper
import ZooKeeperRecipes
import ZooKeeperServer

/// Two instances of the greeter against `zk serve`'s server in process: configuration from
/// ZooKeeper, both registered, one runs the job; the leader's graceful shutdown removes its
/// registration at once and hands the job to the other.
@Suite(.timeLimit(.minutes(3))) struct GreeterServiceTests {
    static let logger = Logger(label: "greeter-test") { _ in SwiftLogNoOpLogHandler() }

    /// One running instance: its group, the task that runs it, its port.
    struct Instance {
        let group: ServiceGroup
        let running: Task<Void, any Error>
        let port: Int

        func stop() async throws {
            await group.triggerGracefulShutdown()
            try await running.value
        }
    }

    static func start(_ id: String, server: ZooKeeperServer) async throws -> Instance {
        let port = try await freePort()
        var options = GreeterService.Options(connectString: server.connectString, port: port, instanceID: id)
        options.heartbeatInterval = .milliseconds(50)
        let greeter = try GreeterService(options: options, logger: logger)
        let group = ServiceGroup(services: greeter.services, logger: logger)
        return Instance(group: group, running: Task { try await group.run() }, port: port)
    }

    @Test func configurationRegistrationAndLeadership() async throws {
        try await ZooKeeperServer.withServer { server in
            let admin = try await ZooKeeperClient.connect(server.connectString)
            try await admin.create("/config")
            try await admin.create("/config/greeter")
            try await admin.create("/config/greeter/greeting", data: "hi")
            let registry = ServiceRegistry(client: admin)

            let a = try await Self.start("a", server: server)
            try await eventually { (try? await get(a.port, "/greeting")) == "hi" }
            let b = try await Self.start("b", server: server)
            try await eventually { try await registry.instances(of: "greeter").count == 2 }
            #expect(
                try await registry.instances(of: "greeter").compactMap(\.port).sorted() == [a.port, b.port].sorted())

            // The configuration follows ZooKeeper, without a restart.
            try await admin.setData("/config/greeter/greeting", data: "hello again")
            try await eventually { (try? await get(b.port, "/greeting")) == "hello again" }

            // One leader runs the job: "a", which campaigned first.
            try await eventually { (try? await get(a.port, "/status")) == "a leading" }
            #expect(try await get(b.port, "/status") == "b following")
            try await eventually {
                (try? await admin.getData("/greeter/heartbeat")).map { String(decoding: $0.data, as: UTF8.self) }?
                    .hasPrefix("a ") == true
            }

            // The leader shuts down: its registration is gone at once, "b" takes over the job.
            try await a.stop()
            #expect(try await registry.instances(of: "greeter").map(\.id) == ["b"])
            try await eventually { (try? await get(b.port, "/status")) == "b leading" }
            try await eventually {
                (try? await admin.getData("/greeter/heartbeat")).map { String(decoding: $0.data, as: UTF8.self) }?
                    .hasPrefix("b ") == true
            }

            try await b.stop()
            #expect(try await registry.instances(of: "greeter").isEmpty)
            #expect(try await admin.getChildren("/election/greeter").isEmpty)
            try await admin.close()
        }
    }
}

/// Waits until `condition` holds, for at most a minute: far longer than anything here takes.
func eventually(_ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(60)
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut() }
        try await Task.sleep(for: .milliseconds(20))
    }
}

struct TimedOut: Error {}

/// A loopback port free now, found by binding port 0.
func freePort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress!.port!
    try await channel.close()
    return port
}

/// The body of `GET path` on a loopback port, through NIO's HTTP/1 client handlers.
func get(_ port: Int, _ path: String) async throws -> String {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHTTPClientHandlers()
                return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                    wrappingChannelSynchronously: channel)
            }
        }
    return try await channel.executeThenClose { responses, requests in
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "Host", value: "127.0.0.1")
        try await requests.write(.head(head))
        try await requests.write(.end(nil))
        var body = ""
        for try await part in responses {
            switch part {
            case .head: continue
            case .body(let buffer): body += String(buffer: buffer)
            case .end: return body
            }
        }
        return body
    }
}
