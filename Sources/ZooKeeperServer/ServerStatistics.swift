import NIOCore

/// Counters for `srvr`, `stat` and `mntr`; confined to the server's event loop.
final class ServerStatistics: @unchecked Sendable {
    var received = 0
    var sent = 0
    private(set) var minLatency: Int64 = 0
    private(set) var maxLatency: Int64 = 0
    private var totalLatency: Int64 = 0
    private var requests: Int64 = 0

    func record(latency: TimeAmount) {
        let milliseconds = latency.nanoseconds / 1_000_000
        minLatency = requests == 0 ? milliseconds : min(minLatency, milliseconds)
        maxLatency = max(maxLatency, milliseconds)
        totalLatency += milliseconds
        requests += 1
    }

    var averageLatency: Double { requests == 0 ? 0 : Double(totalLatency) / Double(requests) }

    func reset() {
        received = 0
        sent = 0
        minLatency = 0
        maxLatency = 0
        totalLatency = 0
        requests = 0
    }
}
