import ZooKeeper

/// A registered service instance, kept registered until `unregister()`: whenever the client
/// (re)connects, it checks the instance's node and creates it again if a session expiry took it.
/// Keep a reference: once it is released, the node is no longer re-created (it stays until the
/// session ends).
public final class ServiceRegistration: Sendable {
    /// What is registered.
    public let instance: ServiceInstance
    /// The instance's node.
    public let path: String
    private let client: ZooKeeperClient
    private let keeper: Task<Void, Never>

    init(instance: ServiceInstance, path: String, client: ZooKeeperClient, data: [UInt8]) {
        self.instance = instance
        self.path = path
        self.client = client
        keeper = Task {
            for await state in client.states() where state.isConnected {
                // A failure here (the connection dropped again) is retried at the next connect.
                _ = try? await ServiceRegistry.ensure(path, data: data, client: client)
            }
        }
    }

    deinit { keeper.cancel() }

    /// Removes the instance from the registry and stops re-creating it. On a closed or expired
    /// client there is nothing to do: the node went with the session.
    public func unregister() async throws {
        keeper.cancel()
        await keeper.value
        while true {
            do {
                guard let stat = try await client.exists(path) else { return }
                // Only this session's node: the id may have been taken over by another.
                guard stat.ephemeralOwner == (try await client.session().id) else { return }
                try await client.delete(path)
                return
            } catch let error as ZooKeeperError where [.noNode, .clientClosed, .sessionExpired].contains(error.code) {
                return  // gone, or going with its session
            } catch let error as ZooKeeperError where error.code == .connectionLoss {
                continue
            }
        }
    }
}
