import ZooKeeper
import ZooKeeperProtocol

/// Service discovery: each live instance of a service is an ephemeral node
/// `BASE/NAME/ID` holding its `ServiceInstance` as JSON, so an instance whose process dies
/// leaves the registry when its session ends.
///
/// ```swift
/// let registry = ServiceRegistry(client: zk)
/// let registration = try await registry.register(ServiceInstance(name: "api", address: "10.0.0.5", port: 8080))
/// let live = try await registry.instances(of: "api")     // the instance just registered
/// try await registration.unregister()                    // or end the session
///
/// // Elsewhere: the live instances now, then after every change, until the task is cancelled.
/// for try await snapshot in registry.updates(of: "api") { print(snapshot.map(\.endpoint)) }
/// ```
public struct ServiceRegistry: Sendable {
    /// The session the recipe works through.
    public let client: ZooKeeperClient
    /// The node under which each service has its own node (`/services` by default).
    public let basePath: String

    /// Works under `basePath` through `client`.
    public init(client: ZooKeeperClient, basePath: String = "/services") {
        self.client = client
        self.basePath = basePath == "/" ? "" : basePath
    }

    /// Registers an instance and keeps it registered while the registration lives: after a session
    /// expiry (the ephemeral node is gone) the node is created again on the new session.
    /// - Throws: `ZooKeeperError` `.nodeExists` when another session has registered the same id,
    ///   `.badArguments` for an id that cannot name a node.
    public func register(_ instance: ServiceInstance) async throws -> ServiceRegistration {
        guard !instance.id.isEmpty, !instance.id.contains("/"), !instance.name.isEmpty, !instance.name.contains("/")
        else {
            throw ZooKeeperError(.badArguments, "service names and instance ids cannot be empty or contain '/'")
        }
        let path = node(instance.name) + "/" + instance.id
        let data = try instance.encoded()
        while true {
            do {
                if try await Self.ensure(path, data: data, client: client) { break }
                throw ZooKeeperError(
                    .nodeExists, "instance '\(instance.id)' is registered by another session", path: path)
            } catch let error as ZooKeeperError where error.isRecoverable {
                // The create may have happened: ensure looks before creating again.
                try await client.waitUntilConnected()
            }
        }
        return ServiceRegistration(instance: instance, path: path, client: client, data: data)
    }

    /// The service's live instances, by id.
    public func instances(of service: String) async throws -> [ServiceInstance] {
        do {
            return try await read(try await client.getChildren(node(service)), of: service)
        } catch let error as ZooKeeperError where error.code == .noNode {
            return []
        }
    }

    /// The names of the services that have (or had) instances.
    public func services() async throws -> [String] {
        do {
            return try await client.getChildren(basePath.isEmpty ? "/" : basePath).sorted()
        } catch let error as ZooKeeperError where error.code == .noNode {
            return []
        }
    }

    /// The service's instances now, then again after every change of the set, until the consumer
    /// stops (or the client is closed: the sequence then ends with `.clientClosed`). Through
    /// connection loss and session expiry it waits for the session and reads the set again
    /// (yielding it only if it changed).
    public func updates(of service: String) -> AsyncThrowingStream<[ServiceInstance], Error> {
        let (stream, continuation) = AsyncThrowingStream<[ServiceInstance], Error>.makeStream()
        let task = Task {
            var last: [ServiceInstance]?
            do {
                while true {
                    let (current, watch) = try await snapshot(of: service)
                    if current != last {
                        continuation.yield(current)
                        last = current
                    }
                    do {
                        _ = try await watch.event()
                    } catch let error as ZooKeeperError where error.isRecoverable {
                        try await client.waitUntilConnected()
                    } catch {
                        try? await watch.remove()
                        throw error
                    }
                }
            } catch {
                continuation.finish(throwing: Task.isCancelled ? nil : error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// The instances now, and a watch on the set (on the service's node while it does not exist).
    private func snapshot(of service: String) async throws -> ([ServiceInstance], ZooKeeperWatch) {
        while true {
            do {
                let watched = try await client.watchChildren(node(service))
                return (try await read(watched.children, of: service), watched.watch)
            } catch let error as ZooKeeperError where error.code == .noNode {
                let watched = try await client.watchExists(node(service))
                if watched.stat == nil { return ([], watched.watch) }
                try? await watched.watch.remove()
            } catch let error as ZooKeeperError where error.isRecoverable {
                try await client.waitUntilConnected()
            }
        }
    }

    private func read(_ children: [String], of service: String) async throws -> [ServiceInstance] {
        var instances: [ServiceInstance] = []
        for id in children.sorted() {
            do {
                let data = try await client.getData(node(service) + "/" + id).data
                // A node that is not an instance (written by something else) is not listed.
                if let instance = try? ServiceInstance(decoding: data) { instances.append(instance) }
            } catch let error as ZooKeeperError where error.code == .noNode {
                continue  // gone since the listing
            }
        }
        return instances
    }

    private func node(_ service: String) -> String { basePath + "/" + service }

    /// Makes sure the instance's node exists on the current session; false when another session
    /// owns it.
    static func ensure(_ path: String, data: [UInt8], client: ZooKeeperClient) async throws -> Bool {
        while true {
            if let stat = try await client.exists(path) {
                return stat.ephemeralOwner == (try await client.session().id)
            }
            do {
                try await client.create(path, data: data, mode: .ephemeral)
                return true
            } catch let error as ZooKeeperError where error.code == .noNode {
                try await client.ensurePath(NodePath.split(path).parent)
            } catch let error as ZooKeeperError where error.code == .nodeExists {
                continue
            }
        }
    }
}
