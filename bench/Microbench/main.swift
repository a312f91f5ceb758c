// make bench's figures for what the Swift server ecosystem's pieces cost (bench/run.sh, section
// "ecosystem"): a request without metrics or tracing backends, with a metrics backend, with
// metrics and a tracer; recording the server's metrics; writing the shell's JSON. One JSON line
// per figure on stdout. Usage: ZooKeeperMicrobench [REQUESTS] [ROUNDS].
import CoreMetrics
import InMemoryTracing
import NIOPosix
import Prometheus
import Tracing
import ZooKeeper
import ZooKeeperServer
import ZooKeeperShell

let arguments = CommandLine.arguments.dropFirst()
let requests = arguments.first.flatMap { Int($0) } ?? 20_000
let rounds = arguments.dropFirst().first.flatMap { Int($0) } ?? 5

/// The median of `values`.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// Microseconds per call of `body`, run `count` times.
func microseconds(
    isolation: isolated (any Actor)? = #isolation, _ count: Int, _ body: () async throws -> Void
) async rethrows -> Double {
    let start = ContinuousClock.now
    for _ in 0..<count { try await body() }
    let elapsed = ContinuousClock.now - start
    return (Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12) / Double(count)
}

func report(_ op: String, _ values: [Double]) {
    print(#"{"op": "\#(op)", "microsecondsPerOp": \#(median(values)), "runs": \#(values.count)}"#)
}

// The server on a thread of its own and every client on one other, so that the clients differ
// only in their instruments: with the shared group's round-robin, one client would share the
// server's thread and skip the cross-thread wake-ups that the others pay (a 15-20 % difference).
let serverGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let clientGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let server = try await ZooKeeperServer.start(
    configuration: ZooKeeperServer.Configuration(port: 0), eventLoopGroup: serverGroup)
func connect() async throws -> ZooKeeperClient {
    try await ZooKeeperClient.connect(server.connectString, eventLoopGroup: clientGroup)
}
let registry = PrometheusCollectorRegistry()
let factory = PrometheusMetricsFactory(registry: registry)
let tracer = InMemoryTracer()
let clients: [(String, ZooKeeperClient)] = [
    ("getData, no backends", try await connect()),
    (
        "getData, metrics (swift-prometheus)",
        try await withMetricsFactory(factory) { try await connect() }
    ),
    (
        "getData, metrics and tracing (in-memory tracer)",
        try await withMetricsFactory(factory) {
            try await withTracer(tracer) { try await connect() }
        }
    ),
]
try await clients[0].1.create("/bench", data: Array(repeating: UInt8(ascii: "x"), count: 100))
var figures: [String: [Double]] = [:]
for round in 0..<rounds {
    // Each round in another order, so that no client always meets a warmer process.
    for index in clients.indices {
        let (name, client) = clients[(index + round) % clients.count]
        _ = try await client.getData("/bench")
        figures[name, default: []].append(
            try await microseconds(requests) { _ = try await client.getData("/bench") })
        tracer.clearAll()
    }
}
for (name, _) in clients { report(name, figures[name]!) }
var recordings: [Double] = []
for _ in 0..<rounds {
    recordings.append(
        try await microseconds(max(1, requests / 20)) { try await server.recordMetrics(factory: factory) })
}
report("server recordMetrics (swift-prometheus)", recordings)
for (_, client) in clients { try await client.close() }
try await server.shutdown()
try await clientGroup.shutdownGracefully()
try await serverGroup.shutdownGracefully()

// What `zk --json get -s` writes: the node's data and its stat.
let document: [String: Any] = [
    "path": "/config/database-url", "data": "jdbc:postgresql://db/app", "encoding": "utf-8",
    "stat": [
        "czxid": 4_294_967_301, "mzxid": 4_294_967_302, "ctime": 1_796_593_171_428, "mtime": 1_796_593_171_428,
        "version": 3, "cversion": 0, "aversion": 0, "ephemeralOwner": 0, "dataLength": 24, "numChildren": 0,
        "pzxid": 4_294_967_301,
    ] as [String: Any],
]
var encodings: [Double] = []
for _ in 0..<rounds {
    encodings.append(try await microseconds(requests) { _ = try JSONText.encode(document) })
}
report("JSON of get -s (JSONEncoder)", encodings)
