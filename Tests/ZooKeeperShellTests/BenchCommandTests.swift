import Foundation
import Testing
import ZooKeeperTestSupport

/// `zk bench`: its table, its JSON, its cleanup and its refusals (structure only; no timings).
@Suite(.timeLimit(.minutes(3))) struct BenchCommandTests {
    static let operations = ["create", "set", "get", "exists", "children", "watch", "notify", "delete"]

    @Test func tableHasARowPerOperation() async throws {
        let result = try await ShellCommandTests.zk(["--embedded", "bench", "--count", "200"])
        #expect(result.status == 0, "\(result.errorText)")
        let rows = result.text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.first == ["op", "ops/s", "elapsed", "s", "cpu", "us/op"])
        #expect(rows.dropFirst().map(\.first) == Self.operations)
        for row in rows.dropFirst() {
            #expect(row.count == 4 && row.dropFirst().allSatisfy { Double($0).map { $0 >= 0 } == true }, "\(row)")
            // ops/s whole, elapsed seconds to 3 decimals, CPU microseconds to 1, as printf's %.Nf.
            let decimals = row.dropFirst().map {
                $0.split(separator: ".", omittingEmptySubsequences: false).dropFirst()
            }
            #expect(decimals.map { $0.first?.count ?? 0 } == [0, 3, 1], "\(row)")
        }
    }

    @Test func jsonHasEveryOperationWithItsFigures() async throws {
        let result = try await ShellCommandTests.zk(
            ["--embedded", "bench", "--count", "200", "--size", "10", "--window", "8", "--sessions", "2", "--json"])
        #expect(result.status == 0, "\(result.errorText)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
        #expect(object["mode"] as? String == "throughput")
        #expect(object["count"] as? Int == 200 && object["size"] as? Int == 10)
        #expect(object["window"] as? Int == 8 && object["sessions"] as? Int == 2)
        #expect(object["path"] as? String == "/zk-bench")
        let results = try #require(object["results"] as? [[String: Any]])
        #expect(results.map { $0["op"] as? String } == Self.operations)
        for entry in results {
            #expect(entry["operations"] as? Int == 200)
            for key in ["opsPerSecond", "elapsedSeconds", "cpuMicrosecondsPerOp"] {
                #expect((entry[key] as? Double).map { $0 >= 0 } == true, "\(key) in \(entry)")
            }
            #expect(entry["p50Microseconds"] == nil)
        }
    }

    @Test func latencyModeReportsOrderedPercentiles() async throws {
        let result = try await ShellCommandTests.zk(
            ["--embedded", "bench", "--latency", "--count", "50", "--ops", "get,notify", "--json"])
        #expect(result.status == 0, "\(result.errorText)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
        #expect(object["mode"] as? String == "latency" && object["window"] as? Int == 1)
        let results = try #require(object["results"] as? [[String: Any]])
        #expect(results.map { $0["op"] as? String } == ["get", "notify"])
        for entry in results {
            let percentiles = ["p50Microseconds", "p99Microseconds", "p999Microseconds", "maxMicroseconds"].map {
                entry[$0] as? Double ?? -1
            }
            #expect(percentiles[0] > 0 && percentiles == percentiles.sorted(), "\(entry)")
        }
        let table = try await ShellCommandTests.zk([
            "--embedded", "bench", "--latency", "--count", "20", "--ops", "set",
        ])
        #expect(
            table.text.split(separator: "\n").first?.split(separator: " ").map(String.init) == [
                "op", "ops/s", "p50", "us", "p99", "us", "p999", "us", "max", "us", "cpu", "us/op",
            ])
    }

    /// With --batch the basic operations go through the client's batch calls: the same rows, the
    /// same nodes, the same cleanup.
    @Test func batchCallsRunEveryOperationOnEveryNode() async throws {
        try await ShellCommandTests.withServer { (zk, _) async throws in
            let result = try await zk(
                ["bench", "--count", "103", "--window", "20", "--batch", "7", "--path", "/bb", "--keep", "--json"], [])
            #expect(result.status == 0, "\(result.errorText)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
            #expect(object["batch"] as? Int == 7 && object["window"] as? Int == 20)
            let results = try #require(object["results"] as? [[String: Any]])
            #expect(results.map { $0["op"] as? String } == Self.operations.filter { $0 != "delete" })
            #expect(results.allSatisfy { $0["operations"] as? Int == 103 })
            // Every node was created, then set twice (set, then notify) by the batch calls.
            let listing = try await zk(["ls", "/bb", "--json"], [])
            let children = try #require(try JSONSerialization.jsonObject(with: Data(listing.stdout)) as? [String: Any])
            #expect((children["children"] as? [String])?.sorted() == (0..<103).map { "n\($0)" }.sorted())
            let stat = try await zk(["stat", "/bb/n102", "--json"], [])
            let node = try #require(try JSONSerialization.jsonObject(with: Data(stat.stdout)) as? [String: Any])
            #expect(node["version"] as? Int == 2, "\(node)")
            let cleaned = try await zk(
                ["bench", "--count", "1", "--path", "/bc", "--batch", "1", "--ops", "delete"], [])
            #expect(cleaned.status == 0, "\(cleaned.errorText)")
            #expect(try await zk(["exists", "/bc"], []).status == 2)
        }
    }

    /// The nodes go away afterwards (and the parent it made), except with --keep; a parent with
    /// children is refused and left alone.
    @Test func cleansUpAndRefusesAParentWithChildren() async throws {
        try await ShellCommandTests.withServer { (zk, _) async throws in
            #expect(try await zk(["bench", "--count", "30", "--path", "/b", "--ops", "create"], []).status == 0)
            #expect(try await zk(["exists", "/b"], []).status == 2)
            #expect(try await zk(["create", "/kept"], []).status == 0)
            let kept = try await zk(["bench", "--count", "30", "--path", "/kept", "--keep", "--json"], [])
            #expect(kept.status == 0, "\(kept.errorText)")
            let children = try await zk(["ls", "/kept"], []).text
            #expect(children.split(whereSeparator: { $0 == "\n" || $0 == " " }).count == 30, "\(children)")
            let refused = try await zk(["bench", "--count", "30", "--path", "/kept"], [])
            #expect(refused.status == 1 && refused.stdout.isEmpty)
            #expect(
                refused.errorText
                    == "zk: /kept is not empty; remove it (deleteall /kept) or choose another --path\n")
            #expect(try await zk(["stat", "/kept/n0"], []).status == 0)
        }
    }

    @Test(arguments: [
        ["--count", "0"], ["--window", "0"], ["--sessions", "0"], ["--size", "-1"], ["--ops", "create,bogus"],
        ["--keep", "--ops", "delete"], ["--batch", "0"], ["--window", "10", "--batch", "11"],
        ["--latency", "--batch", "5"],
    ])
    func badOptionsAreUsageErrors(_ options: [String]) async throws {
        let result = try await ShellCommandTests.zk(["--embedded", "bench"] + options)
        #expect(result.status == 64 && result.stdout.isEmpty)
        #expect(result.errorText.hasPrefix("zk: ") && result.errorText.split(separator: "\n").count == 1)
    }
}
