#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The operations `zk bench` times, in the order it runs them.
enum BenchOperation: String, CaseIterable, Sendable {
    case create, set, get, exists, children, watch, notify, delete
}

/// This process's CPU time (user plus system) so far, from getrusage.
struct CPUTime: Sendable {
    var seconds: Double

    static func now() -> CPUTime {
        var usage = rusage()
        #if canImport(Glibc)
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
            getrusage(RUSAGE_SELF, &usage)
        #endif
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        return CPUTime(seconds: seconds(usage.ru_utime) + seconds(usage.ru_stime))
    }
}

/// The figures of one timed operation of `zk bench`.
struct BenchResult: Sendable {
    var operation: BenchOperation
    var count: Int
    var elapsed: Double
    var cpu: Double
    /// Per-request latencies in seconds, sorted (latency mode only).
    var latencies: [Double]?

    var operationsPerSecond: Double { elapsed > 0 ? Double(count) / elapsed : 0 }
    var cpuMicrosecondsPerOperation: Double { count > 0 ? cpu / Double(count) * 1_000_000 : 0 }

    /// The nearest-rank percentile `fraction` (0.5, 0.99, ...) of the latencies, in microseconds.
    func percentile(_ fraction: Double) -> Double? {
        guard let latencies, !latencies.isEmpty else { return nil }
        let rank = Int((fraction * Double(latencies.count)).rounded(.up))
        return latencies[min(max(rank, 1), latencies.count) - 1] * 1_000_000
    }

    /// The result as a JSON object.
    var json: [String: Any] {
        var object: [String: Any] = [
            "op": operation.rawValue, "operations": count, "opsPerSecond": operationsPerSecond,
            "elapsedSeconds": elapsed, "cpuMicrosecondsPerOp": cpuMicrosecondsPerOperation,
        ]
        if latencies != nil {
            object["p50Microseconds"] = percentile(0.5)
            object["p99Microseconds"] = percentile(0.99)
            object["p999Microseconds"] = percentile(0.999)
            object["maxMicroseconds"] = percentile(1)
        }
        return object
    }

    /// Times `body`: wall clock and this process's CPU.
    static func measure(
        _ operation: BenchOperation, count: Int, _ body: () async throws -> [Double]?
    ) async rethrows -> BenchResult {
        let cpu = CPUTime.now()
        let start = ContinuousClock.now
        let latencies = try await body()
        let elapsed = (ContinuousClock.now - start).seconds
        return BenchResult(
            operation: operation, count: count, elapsed: elapsed, cpu: CPUTime.now().seconds - cpu.seconds,
            latencies: latencies?.sorted())
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// Formats `zk bench` results as a table.
enum BenchTable {
    /// `value` rounded to `digits` decimals, as printf's %.Nf writes it.
    static func fixed(_ value: Double, digits: Int) -> String {
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * Double(scale)).rounded()
        guard value.isFinite, scaled < 9e18 else { return "\(value)" }
        let units = Int64(scaled)
        let fraction = String(units % scale)
        let sign = value < 0 && units != 0 ? "-" : ""
        let decimals = digits == 0 ? "" : "." + String(repeating: "0", count: digits - fraction.count) + fraction
        return sign + String(units / scale) + decimals
    }

    static func lines(_ results: [BenchResult], latency: Bool) -> [String] {
        let header =
            latency
            ? ["op", "ops/s", "p50 us", "p99 us", "p999 us", "max us", "cpu us/op"]
            : ["op", "ops/s", "elapsed s", "cpu us/op"]
        let rows = results.map { result -> [String] in
            var row = [result.operation.rawValue, fixed(result.operationsPerSecond, digits: 0)]
            if latency {
                for fraction in [0.5, 0.99, 0.999, 1] {
                    row.append(fixed(result.percentile(fraction) ?? 0, digits: 1))
                }
            } else {
                row.append(fixed(result.elapsed, digits: 3))
            }
            row.append(fixed(result.cpuMicrosecondsPerOperation, digits: 1))
            return row
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        return ([header] + rows).map { row in
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                // The operation name is left-aligned, figures right-aligned.
                return column == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }
    }
}
