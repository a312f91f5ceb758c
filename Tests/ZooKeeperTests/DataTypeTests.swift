import Foundation
import NIOCore
import Testing
import ZooKeeper
import ZooKeeperTestSupport

/// The types of the client's API: what writes accept, what reads return, and how the
/// configuration's credentials print.
@Suite(.timeLimit(.minutes(3))) struct DataTypeTests {
    struct Limits: Codable, Equatable {
        var connections: Int
        var regions: [String]
    }

    /// Every write takes bytes in any collection, a String (as UTF-8) or a ByteBuffer, and
    /// stores exactly those bytes.
    @Test func writesTakeBytesStringsAndBuffers() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, _ in
            let bytes: [UInt8] = [0, 1, 2, 0xff]
            try await zk.create("/array", data: bytes)
            try await zk.create("/slice", data: bytes[1...])
            try await zk.create("/data", data: Data(bytes))
            try await zk.create("/string", data: "grüße")
            try await zk.create("/buffer", data: ByteBuffer(bytes: bytes))
            try await zk.create("/empty")
            #expect(try await zk.getData("/array").data == bytes)
            #expect(try await zk.getData("/slice").data == [1, 2, 0xff])
            #expect(try await zk.getData("/data").data == bytes)
            #expect(try await zk.getData("/string").data == Array("grüße".utf8))
            #expect(try await zk.getData("/buffer").data == bytes)
            #expect(try await zk.getData("/empty").data == [])

            // Only the readable bytes of a buffer count.
            var buffer = ByteBuffer(bytes: [9, 8, 7, 6])
            buffer.moveReaderIndex(forwardBy: 2)
            try await zk.setData("/buffer", data: buffer)
            #expect(try await zk.getData("/buffer").data == [7, 6])
            try await zk.setData("/string", data: "two", version: 0)
            #expect(try await zk.getData("/string").string == "two")
            try await zk.setData("/data", data: "x".utf8)
            #expect(try await zk.getData("/data").data == [0x78])

            _ = try await zk.multi([
                .create("/multi-string", data: "s"),
                .create("/multi-buffer", data: ByteBuffer(string: "b")),
                .create("/multi-bytes", data: Data([1])),
                .setData("/array", data: "a"),
                .setData("/slice", data: ByteBuffer(string: "c")),
            ])
            for (path, expected) in [
                ("/multi-string", "s"), ("/multi-buffer", "b"), ("/array", "a"), ("/slice", "c"),
            ] {
                #expect(try await zk.getData(path).string == expected)
            }
            #expect(try await zk.getData("/multi-bytes").data == [1])
        }
    }

    /// Reads give the data as text or decoded JSON, and say plainly when it is neither.
    @Test func readsGiveTextAndJSON() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, _ in
            let limits = Limits(connections: 100, regions: ["eu", "us"])
            try await zk.create("/limits", data: try JSONEncoder().encode(limits))
            try await zk.create("/binary", data: [0xff, 0xfe])

            #expect(try await zk.getData("/limits").decode(Limits.self) == limits)
            let decoded: Limits = try await zk.getData("/limits").decode()
            #expect(decoded == limits)
            #expect(try await zk.watchData("/limits").decode(Limits.self) == limits)
            #expect(try await zk.getData(["/limits"])[0].get().decode(Limits.self) == limits)

            let binary = try await zk.getData("/binary")
            let notText = #expect(throws: DecodingError.self) { try binary.string }
            guard case .dataCorrupted(let context) = notText else {
                Issue.record("expected dataCorrupted, got \(String(describing: notText))")
                return
            }
            #expect(context.debugDescription == "the node's data is not UTF-8 text")
            #expect(throws: DecodingError.self) { try binary.decode(Limits.self) }
            await #expect(throws: DecodingError.self) { try await zk.getData("/limits").decode([String].self) }

            let watched = try await zk.watchData("/binary")
            #expect(throws: DecodingError.self) { try watched.string }
            try await watched.watch.remove()
        }
    }

    /// Results are named: the watch calls return the value read and the watch, the others the
    /// value and the stat.
    @Test func resultsAreNamed() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, _ in
            let created = try await zk.create("/node", data: "v")
            #expect(created.path == "/node" && created.stat.version == 0)
            let child = try await zk.create("/node/c-", mode: .persistentSequential)
            #expect(child.path == "/node/c-0000000000")

            let listing = try await zk.getChildrenAndStat("/node")
            #expect(listing.children == ["c-0000000000"] && listing.stat.numChildren == 1)
            let acl = try await zk.getACL("/node")
            #expect(acl.acl == ACL.openUnsafe && acl.stat.aversion == 0)

            let data = try await zk.watchData("/node")
            #expect(try data.string == "v" && data.stat.czxid == created.stat.czxid && data.stat.version == 0)
            let exists = try await zk.watchExists("/missing")
            #expect(exists.stat == nil)
            let children = try await zk.watchChildren("/node")
            #expect(children.children == ["c-0000000000"] && children.stat.cversion == 1)

            try await zk.setData("/node", data: "w")
            #expect(try await data.watch.event().type == .nodeDataChanged)
            try await zk.create("/missing")
            #expect(try await exists.watch.event() == WatchedEvent(type: .nodeCreated, path: "/missing"))
            try await zk.delete("/node/c-0000000000")
            #expect(try await children.watch.event().type == .nodeChildrenChanged)
        }
    }

    /// The session's timeout is a Duration, and its safe-until moment lies within one timeout
    /// of now on the continuous clock.
    @Test func sessionFactsUseSwiftTime() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, _ in
            try await zk.sync()
            let session = try await zk.session()
            #expect(session.timeout == .seconds(30))
            let safeUntil = try #require(session.safeUntil)
            let now = ContinuousClock.now
            #expect(safeUntil > now && safeUntil <= now + session.timeout)
            #expect(
                session.credentials == ZooKeeperClient.SessionCredentials(id: session.id, password: session.password))
        }
    }

    /// Another client resumes the session from its credentials (the first one cut off meanwhile,
    /// so that the two do not take the session from each other).
    @Test func sessionCredentialsResumeTheSession() async throws {
        try await SharedApacheZooKeeper.withClient { _, root, _ in
            let upstream = try await SharedApacheZooKeeper.connectString()
            let proxy = try await TCPProxy.start(upstreamPort: Int(upstream.split(separator: ":").last!)!)
            defer { proxy.stop() }
            let configuration = SharedApacheZooKeeper.configuration()
            let first = try await ZooKeeperClient.connect(
                "127.0.0.1:\(proxy.port)\(root)", configuration: configuration)
            try await first.create("/mine", mode: .ephemeral)
            let session = try await first.session()
            proxy.block()

            var resuming = configuration
            resuming.resumeSession = session.credentials
            let resumed = try await ZooKeeperClient.connect(upstream + root, configuration: resuming)
            #expect(try await resumed.session().id == session.id)
            #expect(try await resumed.exists("/mine")?.ephemeralOwner == session.id)
            #expect(try await resumed.close() == .sessionClosed)
            _ = try? await first.close()
        }
    }

    /// Printing credentials never shows the secret: not as a description, a debug description,
    /// nor in a dump.
    @Test func credentialsPrintWithoutSecrets() {
        let authentication = ZooKeeperClient.Authentication.digest(user: "alice", password: "s3cret-pw")
        #expect(authentication.scheme == "digest" && authentication.credentials == Array("alice:s3cret-pw".utf8))
        let session = ZooKeeperClient.SessionCredentials(id: 0x1234, password: Array("p4ssword-bytes".utf8))
        var configuration = ZooKeeperClient.Configuration()
        configuration.authentication = [authentication]
        configuration.resumeSession = session
        var dumped = ""
        dump(configuration.authentication, to: &dumped)
        dump(configuration.resumeSession, to: &dumped)
        let printed = [
            "\(authentication)", String(reflecting: authentication), "\(session)", String(reflecting: session),
            "\(configuration.authentication)", dumped,
        ]
        #expect("\(authentication)" == "digest credentials")
        #expect("\(session)" == "session 0x1234")
        // The secrets as text, or as the numbers of their bytes.
        let secrets = ["s3cret", "p4ssword"].flatMap { [$0, $0.utf8.map(String.init).joined(separator: ", ")] }
        for text in printed {
            #expect(!secrets.contains(where: text.contains), "\(text)")
        }
    }
}
