extension ZooKeeperServer {
    /// A session as the server sees it, from ``ZooKeeperServer/sessions()``.
    public struct SessionInfo: Hashable, Sendable {
        /// The session id, as clients report it (`ZooKeeperClient.Session.id`).
        public var id: Int64
        /// The timeout the server granted.
        public var timeout: Duration
        /// When the server expires the session unless it hears from the client first: a timeout
        /// after it last did. Expiry runs every half tick, so it may come up to half a tick later.
        /// The client's `ZooKeeperClient.Session.safeUntil` is never later than this.
        public var expiresAt: ContinuousClock.Instant
        /// Whether a connection carries the session now.
        public var isConnected: Bool
        /// The paths of the session's ephemeral nodes, sorted.
        public var ephemerals: [String]

        /// A session's facts.
        public init(
            id: Int64, timeout: Duration, expiresAt: ContinuousClock.Instant, isConnected: Bool, ephemerals: [String]
        ) {
            self.id = id
            self.timeout = timeout
            self.expiresAt = expiresAt
            self.isConnected = isConnected
            self.ephemerals = ephemerals
        }
    }
}
