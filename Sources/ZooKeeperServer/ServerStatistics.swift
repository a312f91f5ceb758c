import NIOCore
import ZooKeeperProtocol

/// Counters for `srvr`, `stat` and `mntr`; confined to the server's event loop.
final class ServerStatistics: @unchecked Sendable {
    /// When the server started (`mntr`'s uptime counts from here).
    let started = NIODeadline.now()
    var received = 0
    var sent = 0
    private(set) var minLatency: Int64 = 0
    private(set) var maxLatency: Int64 = 0
    private var totalLatency: Int64 = 0
    private var requests: Int64 = 0

    /// The sizes of replies in bytes (-1 before the first), as `mntr` reports them.
    private(set) var lastResponseSize = -1
    private(set) var minResponseSize = -1
    private(set) var maxResponseSize = -1

    func recordResponse(size: Int) {
        lastResponseSize = size
        minResponseSize = minResponseSize == -1 ? size : min(minResponseSize, size)
        maxResponseSize = max(maxResponseSize, size)
    }

    func record(latency: TimeAmount) {
        let milliseconds = latency.nanoseconds / 1_000_000
        minLatency = requests == 0 ? milliseconds : min(minLatency, milliseconds)
        maxLatency = max(maxLatency, milliseconds)
        totalLatency += milliseconds
        requests += 1
    }

    /// The average rounded to four decimals and printed as Java prints a double (`5.5385`,
    /// `12.0`), as Apache's `srvr` and `mntr` show it.
    var averageLatency: String {
        let average = requests == 0 ? 0 : Double(totalLatency) / Double(requests)
        return "\((average * 10_000).rounded() / 10_000)"
    }

    func reset() {
        received = 0
        sent = 0
        minLatency = 0
        maxLatency = 0
        totalLatency = 0
        requests = 0
        lastResponseSize = -1
        minResponseSize = -1
        maxResponseSize = -1
    }
}

/// One connection's figures, as Apache ZooKeeper's `cons` shows them.
struct ConnectionStatistics {
    /// When the connection was accepted, in milliseconds since 1970.
    let established = wallClockMilliseconds()
    /// The short name of the last operation answered (`NA` before any).
    var lastOperation = "NA"
    var lastCxid: Int64 = -1
    var lastZxid: Int64 = -1
    /// When the last reply went out, in milliseconds of the uptime clock.
    var lastResponse: Int64 = 0
    var lastLatency: Int64 = 0
    private var minLatency = Int64.max
    private(set) var maxLatency: Int64 = 0
    private var count: Int64 = 0
    private var totalLatency: Int64 = 0

    var minimumLatency: Int64 { minLatency == .max ? 0 : minLatency }
    /// The average in whole milliseconds, as Apache's integer division gives it.
    var averageLatency: Int64 { count == 0 ? 0 : totalLatency / count }

    mutating func record(cxid: Int32, zxid: Int64, operation: String, started: NIODeadline, ended: NIODeadline) {
        if cxid >= 0 { lastCxid = Int64(cxid) }
        lastZxid = zxid
        lastOperation = operation
        lastResponse = Int64(ended.uptimeNanoseconds / 1_000_000)
        let elapsed = (ended - started).nanoseconds / 1_000_000
        lastLatency = elapsed
        minLatency = min(minLatency, elapsed)
        maxLatency = max(maxLatency, elapsed)
        count += 1
        totalLatency += elapsed
    }
}

/// Bytes read and written per top-level namespace (`/app/...` is `app`), the summary sets
/// `read_per_namespace` and `write_per_namespace` that Apache ZooKeeper's `mntr` lists after its
/// other metrics, namespaces in the order of its hash map.
struct NamespaceMetrics: Sendable {
    struct Summary: Sendable {
        var count: Int64 = 0
        var sum: Int64 = 0
        var minimum = Int64.max
        var maximum = Int64.min

        mutating func add(_ value: Int64) {
            count += 1
            sum += value
            minimum = min(minimum, value)
            maximum = max(maximum, value)
        }
    }

    /// The namespaces in the order of Apache's `HashSet`s of them (16 buckets at first).
    private var readOrder = JavaHashOrder<String>()
    private var writeOrder = JavaHashOrder<String>()
    private var reads: [ExactString: Summary] = [:]
    private var writes: [ExactString: Summary] = [:]

    /// What Apache adds to a read's bytes for the stat it returns.
    static let statOverhead: Int64 = 68

    mutating func read(_ path: String, bytes: Int) {
        guard let namespace = Self.namespace(of: path) else { return }
        if reads[ExactString(namespace)] == nil { readOrder.insert(namespace, initialCapacity: 16) }
        reads[ExactString(namespace), default: Summary()].add(Int64(path.utf16.count + bytes) + Self.statOverhead)
    }

    mutating func write(_ path: String, bytes: Int) {
        guard let namespace = Self.namespace(of: path) else { return }
        if writes[ExactString(namespace)] == nil { writeOrder.insert(namespace, initialCapacity: 16) }
        writes[ExactString(namespace), default: Summary()].add(Int64(path.utf16.count + bytes))
    }

    /// `mntr`'s lines: each namespace's average, minimum, maximum, count and sum, reads first.
    var lines: [(String, String)] {
        func lines(_ order: JavaHashOrder<String>, _ summaries: [ExactString: Summary], _ kind: String) -> [(
            String, String
        )] {
            order.ordered.flatMap { namespace -> [(String, String)] in
                let summary = summaries[ExactString(namespace)] ?? Summary()
                let average = summary.count == 0 ? 0 : Double(summary.sum) / Double(summary.count)
                let name = "\(namespace)_\(kind)_per_namespace"
                return [
                    ("zk_avg_\(name)", "\((average * 10_000).rounded() / 10_000)"),
                    ("zk_min_\(name)", "\(summary.minimum)"),
                    ("zk_max_\(name)", "\(summary.maximum)"), ("zk_cnt_\(name)", "\(summary.count)"),
                    ("zk_sum_\(name)", "\(summary.sum)"),
                ]
            }
        }
        return lines(readOrder, reads, "read") + lines(writeOrder, writes, "write")
    }

    /// The first name of a path (`PathUtils.getTopNamespace`); none for `/`.
    static func namespace(of path: String) -> String? {
        let parts = path.utf8.split(separator: UInt8(ascii: "/"), maxSplits: 1, omittingEmptySubsequences: true)
        return parts.first.map { String(Substring($0)) }
    }
}
