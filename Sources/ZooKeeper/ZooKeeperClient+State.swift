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
