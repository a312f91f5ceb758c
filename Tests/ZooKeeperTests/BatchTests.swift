import Testing
import ZooKeeper
import ZooKeeperTestSupport

/// Batch calls (many requests of one kind sent back to back) against a real Apache ZooKeeper:
/// each request succeeds or fails on its own, results come in input order.
@Suite(.timeLimit(.minutes(3))) struct BatchTests {
    @Test func eachRequestOfABatchSucceedsOrFailsOnItsOwn() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, _ in
            try await zk.create("/p")
            let paths = (0..<50).map { "/p/n\($0)" }
            // The last two fail: one exists already (created earlier in the same batch), one
            // has no parent.
            let created = try await zk.create(
                paths.map { ($0, $0.bytes) } + [("/p/n7", []), ("/missing/child", [])])
            #expect(created.count == 52)
            for (index, path) in paths.enumerated() {
                #expect(try created[index].get().path == path)
                #expect(try created[index].get().stat.dataLength == Int32(path.utf8.count))
            }
            #expect(Self.code(of: created[50]) == .nodeExists && Self.path(of: created[50]) == "/p/n7")
            #expect(Self.code(of: created[51]) == .noNode && Self.path(of: created[51]) == "/missing/child")

            let read = try await zk.getData(paths + ["/p/none"])
            #expect(try read.prefix(50).map { try $0.get().data } == paths.map(\.bytes))
            #expect(Self.code(of: read[50]) == .noNode && Self.path(of: read[50]) == "/p/none")

            let updated = try await zk.setData(paths.map { ($0, "v2".bytes) } + [("/p/none", [])])
            #expect(try updated.prefix(50).allSatisfy { try $0.get().version == 1 })
            #expect(Self.code(of: updated[50]) == .noNode)

            let stats = try await zk.exists(["/p/n0", "/p/none", "/p"])
            #expect(try stats[0].get()?.version == 1)
            #expect(try stats[1].get() == nil)
            #expect(try stats[2].get()?.numChildren == 50)

            let children = try await zk.getChildren(["/p", "/p/n0", "/p/none"])
            #expect(try children[0].get().sorted() == paths.map { String($0.dropFirst(3)) }.sorted())
            #expect(try children[1].get() == [])
            #expect(Self.code(of: children[2]) == .noNode)

            // The server applies a session's requests in order: /p is empty by the time its own
            // delete comes.
            let deleted = try await zk.delete(paths + ["/p", "/p/none"])
            #expect(deleted.prefix(51).allSatisfy { Self.code(of: $0) == nil })
            #expect(Self.code(of: deleted[51]) == .noNode)
            #expect(try await zk.exists("/p") == nil)
        }
    }

    @Test func sequentialCreatesAreNumberedInInputOrderAndBadPathsAreNotSent() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, _ in
            try await zk.create("/q")
            let created = try await zk.create(
                [("/q/item-", []), ("relative", []), ("/q/item-", []), ("/q/item-", [])], mode: .persistentSequential)
            #expect(try created[0].get().path == "/q/item-0000000000")
            #expect(Self.code(of: created[1]) == .badArguments && Self.path(of: created[1]) == "relative")
            #expect(try created[2].get().path == "/q/item-0000000001")
            #expect(try created[3].get().path == "/q/item-0000000002")
            // Nothing at all to send: no request, no result.
            #expect(try await zk.getData([]).isEmpty)
            let ephemeral = try await zk.create([("/q/e", [])], mode: .ephemeral)
            #expect(try await ephemeral[0].get().stat.ephemeralOwner == zk.session().id)
        }
    }

    @Test func aBatchEndsWithConnectionLossForEveryRequestTheConnectionTookDown() async throws {
        try await Self.withProxiedClient { zk, proxy in
            // The requests go nowhere, then the connection breaks: none has a reply.
            proxy.stall()
            async let results = zk.getData(Array(repeating: "/d", count: 500))
            try await Task.sleep(for: .milliseconds(300))
            proxy.unstall()
            proxy.reset()
            let lost = try await results
            #expect(lost.count == 500)
            #expect(lost.allSatisfy { Self.code(of: $0) == .connectionLoss && Self.path(of: $0) == "/d" })
            // The session resumes and the next batch goes through.
            try await eventually(within: .seconds(10)) { try await zk.session().state == .connected }
            let again = try await zk.getData(Array(repeating: "/d", count: 500))
            #expect(try again.allSatisfy { try $0.get().data == "1".bytes })
        }
    }

    @Test func cancellingABatchAbandonsItsReplies() async throws {
        try await Self.withProxiedClient { zk, proxy in
            let states = zk.states()
            proxy.stall()
            let batch = Task { try await zk.getData(Array(repeating: "/d", count: 100)) }
            try await Task.sleep(for: .milliseconds(200))
            batch.cancel()
            await #expect(throws: CancellationError.self) { try await batch.value }
            // The abandoned replies, when they come, are dropped without upsetting the ones after.
            proxy.unstall()
            proxy.reset()
            _ = try await collect(states, within: .seconds(10)) { $0.contains(.suspended) && $0.last == .connected }
            #expect(try await zk.getData("/d").data == "1".bytes)
            #expect(try await zk.exists(["/d"]).first?.get() != nil)
        }
    }

    /// Runs `body` with a client that reaches the server through a proxy (its second argument),
    /// once the client's node /d holds "1".
    private static func withProxiedClient(_ body: (ZooKeeperClient, TCPProxy) async throws -> Void) async throws {
        try await SharedApacheZooKeeper.withClient { observer, root, _ in
            let upstream = try await SharedApacheZooKeeper.connectString()
            let proxy = try await TCPProxy.start(upstreamPort: Int(upstream.split(separator: ":").last!)!)
            defer { proxy.stop() }
            let zk = try await ZooKeeperClient.connect(
                "127.0.0.1:\(proxy.port)\(root)", configuration: SharedApacheZooKeeper.configuration())
            try await observer.create("/d", data: "1".bytes)
            do {
                try await body(zk, proxy)
            } catch {
                _ = try? await zk.close()
                throw error
            }
            try await zk.close()
        }
    }

    private static func code<Value>(of result: Result<Value, ZooKeeperError>) -> ErrorCode? {
        if case .failure(let error) = result { return error.code }
        return nil
    }

    private static func path<Value>(of result: Result<Value, ZooKeeperError>) -> String? {
        if case .failure(let error) = result { return error.path }
        return nil
    }
}
