import Testing
import ZooKeeper
import ZooKeeperTestSupport

/// Digest authentication and ACLs against a real Apache ZooKeeper.
@Suite(.timeLimit(.minutes(3))) struct AccessControlTests {
    @Test func digestACLDeniesOthersAndAdmitsTheUser() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, connect in
            try await zk.addDigestAuth(user: "alice", password: "secret")
            let acl = [ACL.digest(user: "alice", password: "secret"), ACL(permissions: .read, id: .anyone)]
            try await zk.create("/secure", data: "s".bytes, acl: acl)
            #expect(try await zk.getACL("/secure").acl == acl)

            let stranger = try await connect()
            #expect(try await stranger.getData("/secure").data == "s".bytes)
            await #expect(throws: ZooKeeperError(.noAuth, path: "/secure")) {
                try await stranger.setData("/secure", data: "x".bytes)
            }
            try await stranger.addDigestAuth(user: "alice", password: "wrong")
            await #expect(throws: ZooKeeperError(.noAuth, path: "/secure")) {
                try await stranger.setData("/secure", data: "x".bytes)
            }
            try await stranger.addDigestAuth(user: "alice", password: "secret")
            try await stranger.setData("/secure", data: "x".bytes)
            let identities = try await stranger.whoAmI()
            #expect(identities.contains(ClientInfo(authScheme: "digest", user: "alice")))
        }
    }

    @Test func creatorACLAndSetACLVersions() async throws {
        try await SharedApacheZooKeeper.withClient { zk, _, connect in
            await #expect(throws: ZooKeeperError(.invalidACL, path: "/mine")) {
                try await zk.create("/mine", acl: ACL.creatorAll)
            }
            try await zk.addDigestAuth(user: "bob", password: "pw")
            try await zk.create("/mine", acl: ACL.creatorAll)
            #expect(try await zk.getACL("/mine").acl == [.digest(user: "bob", password: "pw")])
            let other = try await connect()
            await #expect(throws: ZooKeeperError(.noAuth, path: "/mine")) { try await other.getData("/mine") }
            let stat = try await zk.setACL("/mine", acl: ACL.openUnsafe, version: 0)
            #expect(stat.aversion == 1)
            await #expect(throws: ZooKeeperError(.badVersion, path: "/mine")) {
                try await zk.setACL("/mine", acl: ACL.openUnsafe, version: 0)
            }
            #expect(try await other.getData("/mine").data == [])
        }
    }

    @Test func credentialsFromTheConfigurationAreSentOnConnect() async throws {
        try await SharedApacheZooKeeper.withClient { zk, root, _ in
            try await zk.addDigestAuth(user: "carol", password: "pw")
            try await zk.create("/private", data: "p".bytes, acl: ACL.creatorAll)
            var configuration = SharedApacheZooKeeper.configuration()
            configuration.authentication = [.digest(user: "carol", password: "pw")]
            let client = try await ZooKeeperClient.connect(
                try await SharedApacheZooKeeper.connectString() + root, configuration: configuration)
            #expect(try await client.getData("/private").data == "p".bytes)
            try await client.close()
        }
    }
}
