import Testing
import ZooKeeperProtocol
import ZooKeeperServer

@testable import ZooKeeper

/// Every permission bit alone, for every scheme, against every operation and every kind of
/// caller, on Apache ZooKeeper 3.8 and our server: the transcripts must match.
@Suite(.serialized, .timeLimit(.minutes(3))) struct AccessControlMatrixTests {
    static let permissions: [(String, Permissions)] = [
        ("r", .read), ("w", .write), ("c", .create), ("d", .delete), ("a", .admin),
    ]
    /// The identities an ACL entry names: everyone, the creator (alice), alice by digest, the
    /// loopback address, and an address no test client has.
    static let schemes: [(String, Id)] = [
        ("world", .anyone), ("auth", .creator), ("digest", Id.digest(user: "alice", password: "pw")),
        ("ip", Id(scheme: "ip", id: "127.0.0.1")), ("ipOther", Id(scheme: "ip", id: "10.1.2.0/24")),
    ]
    static let callers = ["anonymous", "alice", "bob", "super"]

    @Test func eachPermissionForEachSchemeAndCaller() async throws {
        try await expectSameBehaviour(superDigest: Id.digest(user: "super", password: "boss").id) { t in
            let (owner, _) = try await t.connect(authentication: [.digest(user: "alice", password: "pw")])
            var clients: [(String, ZooKeeperClient)] = [("anonymous", try await t.connect().0), ("alice", owner)]
            clients.append(("bob", try await t.connect(authentication: [.digest(user: "bob", password: "pw")]).0))
            clients.append(("super", try await t.connect(authentication: [.digest(user: "super", password: "boss")]).0))
            try await owner.create("/m")
            for (scheme, id) in Self.schemes {
                for (bit, permissions) in Self.permissions {
                    let node = "/m/\(scheme)-\(bit)"
                    try await owner.create(node, data: "v".utf8Bytes)
                    for caller in Self.callers { try await owner.create("\(node)/\(caller)") }
                    let acl = [ACL(permissions: permissions, id: id)]
                    await t.step("setACL \(node) \(acl)") {
                        _ = try await owner.setACL(node, acl: acl)
                        return "\(try await owner.getACL(node).acl.count) entries"
                    }
                    for (caller, zk) in clients {
                        let label = "\(caller) \(node)"
                        await t.step("\(label) exists") { try await zk.exists(node) == nil ? "nil" : "found" }
                        await t.step("\(label) getData") { try await zk.getData(node).data.text }
                        await t.step("\(label) getChildren") { "\(try await zk.getChildren(node).sorted())" }
                        await t.step("\(label) getACL") { "\(try await zk.getACL(node).acl)" }
                        await t.step("\(label) setData") {
                            _ = try await zk.setData(node, data: caller.utf8Bytes)
                            return "ok"
                        }
                        await t.step("\(label) create") { try await zk.create("\(node)/new-\(caller)").path }
                        await t.step("\(label) delete") {
                            try await zk.delete("\(node)/\(caller)")
                            return "ok"
                        }
                        await t.step("\(label) setACL") {
                            _ = try await zk.setACL(node, acl: acl)
                            return "ok"
                        }
                    }
                }
            }
            // Creating under a node needs CREATE on it; the new node's ACL is the caller's.
            await t.step("bob creates under alice's auth-only node") {
                try await owner.create("/m/private", acl: ACL.creatorAll)
                return try await clients[2].1.create("/m/private/x").path
            }
            await t.step("super creates under it") { try await clients[3].1.create("/m/private/x").path }
            await t.step("alice deletes super's node") {
                try await owner.delete("/m/private/x")
                return "ok"
            }
        }
    }
}
