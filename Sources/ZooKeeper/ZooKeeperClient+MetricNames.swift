extension ZooKeeperClient {
    /// The names of the swift-metrics metrics a client reports, when a metrics backend was
    /// bootstrapped before the client was made (see the "Metrics and tracing" article).
    public enum MetricNames {
        /// Counter: requests sent, by `opcode` (`getData`, `create`...).
        public static let requests = "zookeeper_client_requests_total"
        /// Timer: from a request's submission to its reply, by `opcode`.
        public static let requestDuration = "zookeeper_client_request_duration_seconds"
        /// Counter: requests that failed, by `opcode` and `code` (`NoNode`, `ConnectionLoss`...).
        public static let errors = "zookeeper_client_request_errors_total"
        /// Meter: requests waiting for their reply now.
        public static let outstandingRequests = "zookeeper_client_outstanding_requests"
        /// Counter: sessions re-established on a new connection after one was lost.
        public static let reconnections = "zookeeper_client_reconnections_total"
        /// Counter: sessions the server expired.
        public static let sessionExpirations = "zookeeper_client_session_expirations_total"
        /// Counter: watch events received, by `type` (`NodeDataChanged`...).
        public static let watchEvents = "zookeeper_client_watch_events_total"
    }
}
