import ServiceLifecycle

extension ZooKeeperServer: Service {
    /// Serves for a service's life: ``ZooKeeperServer/start(configuration:eventLoopGroup:)`` binds the
    /// port, `run()` returns once the server is shut down, which it does itself at graceful
    /// shutdown or when its task is cancelled (see ``ZooKeeperServer/shutdown()``).
    ///
    /// ```swift
    /// let server = try await ZooKeeperServer.start(configuration: configuration)
    /// let group = ServiceGroup(services: [server], logger: logger)
    /// try await group.run()
    /// ```
    ///
    /// - Throws: ``ZooKeeperServer/ServerStopped`` when the server stopped by itself (its data
    ///   directory failed).
    public func run() async throws {
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await waitUntilClosed()
        } onCancelOrGracefulShutdown: {
            Task { try? await self.shutdown() }
        }
        // Closed: wait until the shutdown is over (the store closed) before returning.
        try await shutdown()
    }
}
