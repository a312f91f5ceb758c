import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import ZooKeeper
import ZooKeeperRecipes

/// The example service, "greeter": an HTTP service whose greeting lives in ZooKeeper.
///
/// - `GET /greeting` answers the data of `<configPath>/greeting`, read from a `TreeCache` of the
///   configuration subtree: a change in ZooKeeper shows at once, without a restart.
/// - Every instance registers itself in the `ServiceRegistry` (service `greeter`) while it runs.
/// - One instance at a time, the leader of `<electionPath>`, runs the heartbeat job: it writes its
///   id and a count into `<heartbeatPath>` every `heartbeatInterval`. When it goes, another takes
///   over. `GET /status` tells whether this instance leads.
/// - Under swift-service-lifecycle the parts stop in reverse order at SIGTERM or SIGINT: the
///   HTTP server, the job (the candidate withdraws), the registration, the cache, then the
///   ZooKeeper session, whose ephemeral nodes go at once.
public struct GreeterService: Sendable {
    /// Where and how the service runs.
    public struct Options: Sendable {
        /// The ZooKeeper ensemble, `host:port,...`.
        public var connectString: String
        /// The address the HTTP server binds and registers.
        public var host = "127.0.0.1"
        /// The HTTP port.
        public var port: Int
        /// This instance's id in the registry and the election.
        public var instanceID: String
        /// The configuration subtree.
        public var configPath = "/config/greeter"
        /// The election of the heartbeat job's runner.
        public var electionPath = "/election/greeter"
        /// The node the heartbeat job writes.
        public var heartbeatPath = "/greeter/heartbeat"
        /// How often the leader writes its heartbeat.
        public var heartbeatInterval = Duration.seconds(1)

        public init(connectString: String, port: Int, instanceID: String) {
            self.connectString = connectString
            self.port = port
            self.instanceID = instanceID
        }
    }

    /// The service's parts, in the order they start (and the reverse of their shutdown).
    public let services: [any Service]
    /// The service's ZooKeeper session.
    public let client: ZooKeeperClient

    /// Makes the parts; nothing runs before they are run in a `ServiceGroup`.
    public init(options: Options, logger: Logger) throws {
        let zk = try ZooKeeperClient.start(options.connectString)
        let config = TreeCache(client: zk, path: options.configPath)
        let leading = LeadingFlag()
        let instance = ServiceInstance(
            name: "greeter", address: options.host, port: options.port, id: options.instanceID)
        let registration = RegistrationService(registry: ServiceRegistry(client: zk), instance: instance)
        let election = LeaderElection(client: zk, path: options.electionPath, id: options.instanceID)
        let heartbeat = ExclusiveJob(election: election, client: zk) {
            leading.set(true)
            defer { leading.set(false) }
            try await Self.beat(zk, options: options)
        }
        let router = Router()
        let greetingPath = options.configPath + "/greeting"
        router.get("greeting") { _, _ -> String in
            config.node(at: greetingPath).map { String(decoding: $0.data, as: UTF8.self) } ?? "hello"
        }
        router.get("status") { _, _ -> String in
            "\(options.instanceID) \(leading.value ? "leading" : "following")"
        }
        let http = Application(
            router: router,
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "greeter"),
            logger: logger)
        client = zk
        services = [zk, CacheService(cache: config), registration, heartbeat, http]
    }

    /// The heartbeat job: while leading, writes this instance's id and a count every interval.
    private static func beat(_ zk: ZooKeeperClient, options: Options) async throws {
        var count = 0
        while true {
            count += 1
            let data = Array("\(options.instanceID) \(count)".utf8)
            do {
                _ = try await zk.setData(options.heartbeatPath, data: data)
            } catch let error as ZooKeeperError where error.code == .noNode {
                // The first beat: make the node, and its parent when missing.
                let parent = String(options.heartbeatPath[..<options.heartbeatPath.lastIndex(of: "/")!])
                if !parent.isEmpty { _ = try? await zk.create(parent) }
                try await zk.create(options.heartbeatPath, data: data)
            }
            try await Task.sleep(for: options.heartbeatInterval)
        }
    }
}

/// A `TreeCache` for a service's life: started when run, closed at graceful shutdown.
struct CacheService: Service {
    let cache: TreeCache

    func run() async throws {
        try await cache.start()
        try? await gracefulShutdown()
        await cache.close()
    }
}

/// Whether this instance runs the heartbeat job now.
final class LeadingFlag: Sendable {
    private let flag = Atomic(false)

    var value: Bool { flag.load(ordering: .relaxed) }

    func set(_ leading: Bool) { flag.store(leading, ordering: .relaxed) }
}
