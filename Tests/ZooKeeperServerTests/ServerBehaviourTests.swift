import Foundation
import Testing
import ZooKeeper
import ZooKeeperProtocol
import ZooKeeperServer
import ZooKeeperTestSupport

/// The embedded server's own behaviour: sessions, reconnects, limits, four-letter words.
@Suite(.timeLimit(.minutes(3))) struct ServerBehaviourTests {
    static func configuration() -> ZooKeeperServer.Configuration {
        var configuration = ZooKeeperServer.Configuration(port: 0)
        configuration.tickTime = .milliseconds(100)
        // Short sessions where a test asks for them, long ones where a test needs slack under load.
        configuration.maxSessionTimeout = .seconds(30)
        configuration.fourLetterWordWhitelist = ["*"]
        return configuration
    }

    /// A client with a session long enough to ride out a busy machine, unless a test asks for less.
    static func client(_ address: String, timeout: Duration = .seconds(20)) async throws -> ZooKeeperClient {
        var configuration = ZooKeeperClient.Configuration()
        configuration.sessionTimeout = timeout
        configuration.connectTimeout = .seconds(10)
        return try await ZooKeeperClient.connect(address, configuration: configuration)
    }

    @Test func fourLetterWords() async throws {
        try await ZooKeeperServer.withServer(configuration: Self.configuration()) { server in
            let zk = try await Self.client(server.connectString)
            try await zk.create("/a")
            _ = try await zk.watchData("/a")
            #expect(await fourLetterWord("ruok", port: server.port) == "imok")
            #expect(await fourLetterWord("isro", port: server.port) == "rw")
            let srvr = try #require(await fourLetterWord("srvr", port: server.port))
            #expect(srvr.contains("Mode: standalone"))
            // Five nodes, counted as Apache counts them: the root twice ("" and "/").
            #expect(srvr.contains("Node count: 6"))
            #expect(srvr.contains("Connections: 2"))
            let mntr = try #require(await fourLetterWord("mntr", port: server.port))
            #expect(mntr.contains("zk_znode_count\t6\n"))
            #expect(mntr.contains("zk_watch_count\t1\n"))
            #expect(
                await fourLetterWord("wchs", port: server.port) == "1 connections watching 1 paths\nTotal watches:1\n")
            #expect(await fourLetterWord("stat", port: server.port)?.contains("Clients:") == true)
            try await zk.close()
        }
    }

    @Test func fourLetterWordsOutsideTheWhitelistAreRefused() async throws {
        var configuration = Self.configuration()
        configuration.fourLetterWordWhitelist = ["srvr"]
        try await ZooKeeperServer.withServer(configuration: configuration) { server in
            #expect(
                await fourLetterWord("ruok", port: server.port)
                    == "ruok is not executed because it is not in the whitelist.\n")
            #expect(await fourLetterWord("srvr", port: server.port)?.hasPrefix("Zookeeper version:") == true)
            #expect(await fourLetterWord("isro", port: server.port) == "rw")
        }
    }

    @Test func aSessionCutOffLongerThanItsTimeoutExpires() async throws {
        try await ZooKeeperServer.withServer(configuration: Self.configuration()) { server in
            let proxy = try await TCPProxy.start(upstreamPort: server.port)
            defer { proxy.stop() }
            let observer = try await Self.client(server.connectString)
            // Short enough to expire soon, long enough that a busy machine's stalls do not drop
            // the connection before the cut (a 1 s session failed so under a parallel build).
            let zk = try await Self.client("127.0.0.1:\(proxy.port)", timeout: .seconds(3))
            try await zk.create("/member", mode: .ephemeral)
            let watch = try await observer.watchData("/member").watch
            let states = zk.states()
            proxy.block()
            #expect(try await watch.event() == WatchedEvent(type: .nodeDeleted, path: "/member"))
            proxy.unblock()
            let seen = try await collect(states, until: { $0.contains(.expired) && $0.last == .connected })
            #expect(seen.filter { $0 == .expired }.count == 1)
            try await zk.close()
            try await observer.close()
        }
    }

    @Test func watchesSurviveAReconnectAndReportWhatChangedMeanwhile() async throws {
        try await ZooKeeperServer.withServer(configuration: Self.configuration()) { server in
            let proxy = try await TCPProxy.start(upstreamPort: server.port)
            defer { proxy.stop() }
            let writer = try await Self.client(server.connectString)
            let zk = try await Self.client("127.0.0.1:\(proxy.port)", timeout: .seconds(10))
            try await writer.create("/data", data: [1])
            try await writer.create("/stable")
            try await writer.create("/gone")
            let changed = try await zk.watchData("/data").watch
            let created = try await zk.watchExists("/new").watch
            let children = try await zk.watchChildren("/stable").watch
            let deleted = try await zk.watchData("/gone").watch
            let untouched = try await zk.watchData("/stable").watch
            let session = try await zk.session().id
            proxy.block()
            try await eventually { try await zk.session().state == .suspended }
            try await writer.setData("/data", data: [2])
            try await writer.create("/new")
            try await writer.create("/stable/child")
            try await writer.delete("/gone")
            proxy.unblock()
            #expect(try await changed.event() == WatchedEvent(type: .nodeDataChanged, path: "/data"))
            #expect(try await created.event() == WatchedEvent(type: .nodeCreated, path: "/new"))
            #expect(try await children.event() == WatchedEvent(type: .nodeChildrenChanged, path: "/stable"))
            #expect(try await deleted.event() == WatchedEvent(type: .nodeDeleted, path: "/gone"))
            #expect(try await zk.session().id == session)
            // The unchanged node's watch was re-registered and still fires once.
            try await writer.setData("/stable", data: [9])
            #expect(try await untouched.event() == WatchedEvent(type: .nodeDataChanged, path: "/stable"))
            try await zk.close()
            try await writer.close()
        }
    }

    @Test func aWrongPasswordIsRefused() async throws {
        try await ZooKeeperServer.withServer(configuration: Self.configuration()) { server in
            let zk = try await Self.client(server.connectString)
            let session = try await zk.session()
            var configuration = ZooKeeperClient.Configuration()
            configuration.resumeSession = .init(id: session.id, password: Array(repeating: 1, count: 16))
            configuration.recreateSessionOnExpiry = false
            configuration.connectTimeout = .seconds(30)
            // The server refuses the session as unknown: resuming it fails as expired.
            await #expect(throws: ZooKeeperError(.sessionExpired, "the session expired")) {
                try await ZooKeeperClient.connect(server.connectString, configuration: configuration)
            }
            #expect(try await zk.exists("/") != nil)
            try await zk.close()
        }
    }

    @Test func malformedAndOversizedFramesCloseOnlyTheirConnection() async throws {
        var configuration = Self.configuration()
        configuration.maxFrameLength = 1024
        try await ZooKeeperServer.withServer(configuration: configuration) { server in
            let zk = try await Self.client(server.connectString)
            for garbage: [UInt8] in [
                [0x00, 0x00, 0x00, 0x03, 0xFF, 0xFF, 0xFF],  // a 3-byte "connect request"
                [0xFF, 0xFF, 0xFF, 0xFF],  // a negative length
                [0x7F, 0x00, 0x00, 0x00],  // a length far above the limit
                [0x00, 0x00, 0x08, 0x00],  // 2048 bytes: above this server's limit
            ] {
                #expect(await exchange(garbage, port: server.port) == [], "the server answered \(garbage)")
            }
            let error = await #expect(throws: ZooKeeperError.self) {
                try await zk.create("/big", data: [UInt8](repeating: 0, count: 2000))
            }
            #expect(error?.code == .badArguments || error?.code == .connectionLoss)
            try await eventually { try await zk.session().state == .connected }
            try await zk.create("/small", data: [1])
            try await zk.close()
        }
    }

    @Test func aLengthHeaderClaimingTwoGigabytesIsRefusedBeforeItsBodyArrives() async throws {
        try await ZooKeeperServer.withServer(configuration: Self.configuration()) { server in
            // The socket stays open and nothing follows the header: the server closes it without
            // waiting for (or reserving room for) the body.
            #expect(await peerClosesSilently(after: [0x7F, 0xFF, 0xFF, 0xFF], port: server.port))
            #expect(await peerClosesSilently(after: [0x80, 0x00, 0x00, 0x00], port: server.port))
            let zk = try await Self.client(server.connectString)
            #expect(try await zk.exists("/") != nil)
            try await zk.close()
        }
    }

    @Test func connectionsPerAddressAreLimited() async throws {
        var configuration = Self.configuration()
        configuration.maxClientConnections = 2
        try await ZooKeeperServer.withServer(configuration: configuration) { server in
            let first = try await Self.client(server.connectString)
            let second = try await Self.client(server.connectString)
            var short = ZooKeeperClient.Configuration()
            short.connectTimeout = .seconds(1)
            let error = await #expect(throws: ZooKeeperError.self) {
                try await ZooKeeperClient.connect(server.connectString, configuration: short)
            }
            #expect(error?.code == .connectFailed)
            try await first.close()
            // Once one connection has gone, a new one is accepted.
            var third: ZooKeeperClient?
            try await eventually {
                third = try? await ZooKeeperClient.connect(server.connectString, configuration: short)
                return third != nil
            }
            try await third?.close()
            try await second.close()
        }
    }

    @Test func emptyContainersAndExpiredTTLNodesAreReaped() async throws {
        var configuration = Self.configuration()
        configuration.extendedTypesEnabled = true
        configuration.containerCheckInterval = .milliseconds(100)
        try await ZooKeeperServer.withServer(configuration: configuration) { server in
            let zk = try await Self.client(server.connectString)
            try await zk.create("/never-used", mode: .container)
            try await zk.create("/c", mode: .container)
            try await zk.create("/c/x")
            try await zk.create("/ttl", mode: .persistentWithTTL, ttl: .milliseconds(200))
            try await zk.delete("/c/x")
            try await eventually {
                let container = try await zk.exists("/c")
                let ttl = try await zk.exists("/ttl")
                return container == nil && ttl == nil
            }
            // A container that never had a child stays.
            #expect(try await zk.exists("/never-used") != nil)
            try await zk.close()
        }
    }

    /// The reaper checks the containers and TTL nodes the tree keeps apart, not every node: those
    /// that come back from a data directory (snapshot or log) are among them.
    @Test(arguments: [3, 100_000])
    func containersAndTTLNodesFromADataDirectoryAreReaped(snapshotEvery: Int) async throws {
        let directory = try DurabilityTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = DurabilityTests.configuration(directory, snapshotEvery: snapshotEvery)
        configuration.extendedTypesEnabled = true
        configuration.containerCheckInterval = .seconds(3600)
        let first = try await ZooKeeperServer.start(configuration: configuration)
        let writer = try await Self.client(first.connectString)
        try await writer.create("/c", mode: .container)
        try await writer.create("/c/x")
        try await writer.create("/ttl", mode: .persistentWithTTL, ttl: .milliseconds(200))
        try await writer.create("/kept")
        try await writer.close()
        try await first.shutdown()

        configuration.containerCheckInterval = .milliseconds(100)
        let second = try await ZooKeeperServer.start(configuration: configuration)
        let zk = try await Self.client(second.connectString)
        try await zk.delete("/c/x")
        try await eventually(waitingFor: "the restored container and TTL node to be reaped") {
            let container = try await zk.exists("/c")
            let ttl = try await zk.exists("/ttl")
            return container == nil && ttl == nil
        }
        #expect(try await zk.exists("/kept") != nil)
        try await zk.close()
        try await second.shutdown()
    }

    /// A container that a failed multi deleted and put back is reaped once empty.
    @Test func aContainerAFailedMultiPutBackIsReaped() async throws {
        var configuration = Self.configuration()
        configuration.containerCheckInterval = .milliseconds(100)
        try await ZooKeeperServer.withServer(configuration: configuration) { server in
            let zk = try await Self.client(server.connectString)
            try await zk.create("/c", mode: .container)
            try await zk.create("/c/y")
            await #expect(throws: ZooKeeperError.self) {
                try await zk.multi([.delete("/c/y"), .delete("/c"), .create("/missing/x")])
            }
            #expect(try await zk.getChildren("/c") == ["y"])
            try await zk.delete("/c/y")
            try await eventually(waitingFor: "the container put back to be reaped") {
                try await zk.exists("/c") == nil
            }
            try await zk.close()
        }
    }

    @Test func theSuperUserBypassesACLs() async throws {
        var configuration = Self.configuration()
        configuration.superDigest = Id.digest(user: "super", password: "secret").id
        try await ZooKeeperServer.withServer(configuration: configuration) { server in
            let owner = try await Self.client(server.connectString)
            try await owner.addDigestAuth(user: "alice", password: "pw")
            try await owner.create("/private", data: [1], acl: ACL.creatorAll)
            let admin = try await Self.client(server.connectString)
            await #expect(throws: ZooKeeperError.self) { try await admin.getData("/private") }
            try await admin.addDigestAuth(user: "super", password: "secret")
            #expect(try await admin.getData("/private").data == [1])
            try await admin.delete("/private")
            try await owner.close()
            try await admin.close()
        }
    }

    @Test func checkOutsideAMultiIsAnsweredAndTheConnectionClosed() async throws {
        try await ZooKeeperServer.withServer(configuration: Self.configuration()) { server in
            let reply = try #require(
                await exchange(
                    handshake() + frame([0, 0, 0, 1, 0, 0, 0, 13, 0, 0, 0, 2, 0x2F, 0x61, 0, 0, 0, 0]),
                    port: server.port))
            // The connect response, then a reply header for xid 1 with Unimplemented (-6).
            #expect(reply.count >= 20 + 16)
            #expect(Array(reply.suffix(4)) == [0xFF, 0xFF, 0xFF, 0xFA])
        }
    }
}

/// A frame: length prefix and body.
func frame(_ body: [UInt8]) -> [UInt8] {
    withUnsafeBytes(of: UInt32(body.count).bigEndian, Array.init) + body
}

/// A connect request for a new session, without the read-only flag.
func handshake() -> [UInt8] {
    var body: [UInt8] =
        [0, 0, 0, 0] + [UInt8](repeating: 0, count: 8) + [0, 0, 0x27, 0x10] + [UInt8](repeating: 0, count: 8)
    body += [0, 0, 0, 16] + [UInt8](repeating: 0, count: 16)
    return frame(body)
}
