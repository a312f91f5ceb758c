import Testing
import ZooKeeper
import ZooKeeperServer

@Suite(.timeLimit(.minutes(3))) struct ServerSmokeTests {
    @Test func clientTalksToTheEmbeddedServer() async throws {
        try await ZooKeeperServer.withServer { server in
            let zk = try await ZooKeeperClient.connect(server.connectString)
            let other = try await ZooKeeperClient.connect(server.connectString)
            let created = try await zk.create("/a", data: Array("x".utf8))
            let (path, stat) = (created.path, created.stat)
            #expect(path == "/a" && stat.version == 0)
            let watch = try await zk.watchData("/a").watch
            try await other.setData("/a", data: Array("y".utf8))
            #expect(try await watch.event() == WatchedEvent(type: .nodeDataChanged, path: "/a"))
            #expect(try await zk.getData("/a").data == Array("y".utf8))
            try await other.create("/e", mode: .ephemeral)
            try await other.close()
            #expect(try await zk.exists("/e") == nil)
            #expect(try await zk.getChildren("/").sorted() == ["a", "zookeeper"])
            try await zk.close()
        }
    }
}
