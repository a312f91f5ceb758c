import CoreMetrics

extension ZooKeeperServer {
    /// Records the figures `mntr` reports that this server keeps (znode, watch, ephemeral and
    /// session counts, connections, latencies, packets, data size, file descriptors, uptime) as
    /// swift-metrics gauges, named as Apache ZooKeeper's `PrometheusMetricsProvider` names them:
    /// the `mntr` key without its `zk_` prefix (`znode_count`, `avg_latency`...), so that
    /// dashboards made for Apache ZooKeeper work.
    ///
    /// The server records nothing by itself: call this before each scrape of a pulling backend
    /// (`zk serve --metrics-port` does), or on a timer for a pushing one.
    ///
    /// ```swift
    /// try await server.recordMetrics(factory: MetricsSystem.factory)
    /// ```
    public func recordMetrics(factory: any MetricsFactory = MetricsSystem.factory) async throws {
        let core = self.core
        let figures = try await core.eventLoop.submit { core.keptMonitorFigures() }.get()
        for (key, text) in figures where key.hasPrefix("zk_") {
            guard let value = Double(text) else { continue }
            Gauge(label: String(key.dropFirst(3)), factory: factory).record(value)
        }
    }
}
