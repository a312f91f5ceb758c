import ServiceLifecycle
import ZooKeeper

/// A service instance registered in a ``ServiceRegistry`` for a service's life, as a
/// swift-service-lifecycle `Service`: registered when it starts, kept registered through
/// session expiries, unregistered at graceful shutdown.
///
/// ```swift
/// let registry = ServiceRegistry(client: zk)
/// let instance = ServiceInstance(name: "api", address: "10.0.0.7", port: 8080)
/// let registration = RegistrationService(registry: registry, instance: instance)
/// let group = ServiceGroup(services: [zk, registration], logger: logger)
/// ```
///
/// Put it after its client in the group: a group shuts its services down in reverse order, so
/// the instance is unregistered before the session closes. Unregistering is bounded: when the
/// server does not answer within `withdrawalTimeout`, the client is closed (the instance's
/// ephemeral node goes with its session) so that the shutdown goes on.
public struct RegistrationService: Service {
    /// The registry the instance is registered in.
    public let registry: ServiceRegistry
    /// What is registered.
    public let instance: ServiceInstance
    private let withdrawalTimeout: Duration

    /// Registers `instance` in `registry` when run.
    public init(registry: ServiceRegistry, instance: ServiceInstance, withdrawalTimeout: Duration = .seconds(2)) {
        self.registry = registry
        self.instance = instance
        self.withdrawalTimeout = withdrawalTimeout
    }

    /// Registers the instance, waits for graceful shutdown (or the client's close), then
    /// unregisters it.
    /// - Throws: what ``ServiceRegistry/register(_:)`` throws.
    public func run() async throws {
        let registry = self.registry
        let instance = self.instance
        try await boundedAtShutdown(client: registry.client, grace: withdrawalTimeout) {
            let registration = try await registry.register(instance)
            try? await gracefulShutdown()
            await uncancelled { try? await registration.unregister() }
        }
    }
}
