extension ZooKeeperClient {
    /// The client's connection and session state, as seen through `states()`.
    public enum State: Hashable, Sendable, CustomStringConvertible {
        /// Looking for a server to start a session with (no session yet).
        case connecting
        /// The session is established on a read-write server.
        case connected
        /// The session is established on a read-only server (writes fail with NotReadOnly).
        case connectedReadOnly
        /// Announced after ``connected`` (or ``connectedReadOnly``) on each connection whose SASL
        /// exchange succeeded (see ``Configuration/sasl``), as the Java client's `SaslAuthenticated`
        /// event; ``ZooKeeperClient/session()`` still reports the connected state.
        case saslAuthenticated
        /// The connection was lost; the session lives on while the client reconnects. Ephemeral
        /// nodes remain, watches are restored on reconnect; requests already sent failed with
        /// ConnectionLoss, new ones wait.
        case suspended
        /// The server ended the session: its ephemeral nodes and watches are gone. Announced once;
        /// the client then starts a new session if configured to.
        case expired
        /// The server refused the credentials; the client has stopped.
        case authFailed
        /// The client was closed.
        case closed

        public var description: String {
            switch self {
            case .connecting: "CONNECTING"
            case .connected: "CONNECTED"
            case .connectedReadOnly: "CONNECTEDREADONLY"
            case .saslAuthenticated: "SASL_AUTHENTICATED"
            case .suspended: "SUSPENDED"
            case .expired: "EXPIRED"
            case .authFailed: "AUTH_FAILED"
            case .closed: "CLOSED"
            }
        }

        /// Whether requests can be answered now.
        public var isConnected: Bool { self == .connected || self == .connectedReadOnly || self == .saslAuthenticated }
    }
}

extension ZooKeeperClient {
    /// Returns once the client has a session on a server: at once if it has one now, or when it
    /// has reconnected (or started a new session after an expiry).
    ///
    /// ```swift
    /// let zk = try ZooKeeperClient.start("zk1:2181,zk2:2181")
    /// try await zk.waitUntilConnected(timeout: .seconds(30))
    /// ```
    ///
    /// - Parameter timeout: how long to wait at most; nil (the default) waits as long as it takes.
    /// - Throws: `ZooKeeperError` with `.operationTimeout` when `timeout` passed first,
    ///   `.clientClosed` when the client is (or gets) closed, `.authFailed` when the server
    ///   refused the credentials, `.sessionExpired` when the session expired and is not
    ///   recreated; `CancellationError` when the calling task is cancelled.
    public func waitUntilConnected(timeout: Duration? = nil) async throws {
        guard let timeout else { return try await waitForSession() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.waitForSession() }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw ZooKeeperError(.operationTimeout, "no session within \(timeout)")
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    private func waitForSession() async throws {
        for await state in states() {
            switch state {
            case .connected, .connectedReadOnly, .saslAuthenticated: return
            case .closed: throw ZooKeeperError(.clientClosed, "the client is closed")
            case .authFailed: throw ZooKeeperError(.authFailed, "the server refused the credentials")
            default: try Task.checkCancellation()
            }
        }
        try Task.checkCancellation()
        throw ZooKeeperError(.sessionExpired, "the session ended and is not recreated")
    }
}
