import Testing
import ZooKeeper
import ZooKeeperTestSupport

/// Transactions and batched reads against a real Apache ZooKeeper.
@Suite(.timeLimit(.minutes(3))) struct MultiTests {
    @Test func successfulTransactionAppliesEveryOperation() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, _ in
            try await zk.create("/stock", data: "10".bytes)
            let results = try await zk.multi([
                .check("/stock", version: 0),
                .setData("/stock", data: "9".bytes, version: 0),
                .create("/orders"),
                .create("/orders/o-", data: "1".bytes, mode: .persistentSequential),
                .delete("/orders/o-0000000000"),
            ])
            #expect(results.count == 5)
            #expect(results[0] == .check)
            guard case .setData(let stat) = results[1] else {
                Issue.record("expected setData, got \(results[1])"); return
            }
            #expect(stat.version == 1)
            // Apache ZooKeeper answers create2 inside a multi with a plain create result (path only).
            #expect(results[2] == .create(path: "/orders"))
            #expect(results[3] == .create(path: "/orders/o-0000000000"))
            #expect(results[4] == .delete)
            // All operations of a transaction share one zxid.
            #expect(try await zk.exists("/orders")?.czxid == stat.mzxid)
            #expect(try await zk.getData("/stock").data == "9".bytes)
        }
    }

    @Test func failedTransactionAppliesNothingAndReportsEachOperation() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, _ in
            try await zk.create("/stock", data: "10".bytes)
            let error = await #expect(throws: ZooKeeperError.self) {
                try await zk.multi([
                    .create("/new"),
                    .setData("/stock", data: "9".bytes, version: 7),
                    .delete("/stock"),
                ])
            }
            #expect(error?.code == .badVersion)
            #expect(error?.path == "/stock")
            #expect(error?.multiResults == [.error(.ok), .error(.badVersion), .error(.runtimeInconsistency)])
            #expect(try await zk.exists("/new") == nil)
            #expect(try await zk.getData("/stock").data == "10".bytes)
        }
    }

    @Test func multiReadResultsStandAlone() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, _ in
            try await zk.create("/a", data: "1".bytes)
            try await zk.create("/a/b")
            let results = try await zk.multiRead([.getData("/a"), .getChildren("/a"), .getData("/missing")])
            guard case .getData(let data, let stat) = results[0] else { Issue.record("got \(results[0])"); return }
            #expect(data == "1".bytes && stat.numChildren == 1)
            #expect(results[1] == .getChildren(children: ["b"]))
            #expect(results[2] == .error(.noNode))
        }
    }

    @Test func readsAndWritesDoNotMix() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, _ in
            let error = await #expect(throws: ZooKeeperError.self) { try await zk.multi([.getData("/a")]) }
            #expect(error?.code == .badArguments)
        }
    }
}
