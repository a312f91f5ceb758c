import ServiceLifecycle

extension ZooKeeperClient: Service {
    /// Keeps the client for a service's life: returns at graceful shutdown (or when its task is
    /// cancelled), after closing the session so that its ephemeral nodes go at once, as
    /// postgres-nio's `PostgresClient` does in a `ServiceGroup`.
    ///
    /// ```swift
    /// let zk = try ZooKeeperClient.start("127.0.0.1:2181")
    /// let group = ServiceGroup(services: [zk], logger: logger)
    /// try await group.run()
    /// ```
    ///
    /// The close is bounded, after a cancellation too: it waits for the server to confirm at most
    /// two seconds (see ``close()``), so a server that is down or a connection that is frozen
    /// cannot hold up the shutdown; the session is then left to expire on the server.
    ///
    /// - Throws: ``ZooKeeperError`` with code `.sessionExpired` or `.authFailed` when the client
    ///   stops by itself (a session expired with ``Configuration/recreateSessionOnExpiry`` off,
    ///   or credentials refused), so that the group can shut down the service it belongs to.
    ///
    /// Closed earlier by a call to ``close()`` (by the application, or by a recipe service of the
    /// same group that gave up waiting for a frozen server at its own shutdown), it still returns
    /// only at its graceful shutdown or cancellation: a group takes a service that returns before
    /// its turn for a failure.
    public func run() async throws {
        let states = states()
        let last = await cancelWhenGracefulShutdown {
            var last: State?
            for await state in states { last = state }
            // Ended by the shutdown, not by the client stopping.
            return Task.isCancelled ? nil : last
        }
        // Not cut short by a cancellation: the close is bounded by itself, and it lets the
        // session's ephemeral nodes go at once.
        try await Task { try await close() }.value
        switch last {
        case .expired: throw ZooKeeperError(.sessionExpired, "the session expired")
        case .authFailed: throw ZooKeeperError(.authFailed, "the server rejected the credentials")
        case .closed: try? await gracefulShutdown()
        default: return
        }
    }
}
