import Testing
import ZooKeeperProtocol
import ZooKeeperServer

@testable import ZooKeeper

/// The same scenarios against Apache ZooKeeper 3.8 and our server: the transcripts must match.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ConformanceTests {
    @Test func crudAndStats() async throws {
        try await expectSameBehaviour { t in
            let (zk, _) = try await t.connect()
            await t.step("create /a") {
                let created = try await zk.create("/a", data: "1".utf8Bytes)
                let (p, s) = (created.path, created.stat); return "\(p) \(t.render(s))"
            }
            await t.step("create /a/b") { try await zk.create("/a/b").path }
            await t.step("get /a") {
                let node = try await zk.getData("/a")
                let (d, s) = (node.data, node.stat); return "\(d.text) \(t.render(s))"
            }
            await t.step("set /a v0") { t.render(try await zk.setData("/a", data: "22".utf8Bytes, version: 0)) }
            await t.step("set /a v0 again") { t.render(try await zk.setData("/a", data: "3".utf8Bytes, version: 0)) }
            await t.step("set /a any") { t.render(try await zk.setData("/a", data: [], version: -1)) }
            await t.step("exists /a") { try await zk.exists("/a").map(t.render) ?? "nil" }
            await t.step("exists /nope") { try await zk.exists("/nope").map(t.render) ?? "nil" }
            await t.step("children /a") {
                let listing = try await zk.getChildrenAndStat("/a")
                return "\(listing.children) \(t.render(listing.stat))"
            }
            await t.step("delete /a") {
                try await zk.delete("/a"); return "ok"
            }
            await t.step("delete /a/b v5") {
                try await zk.delete("/a/b", version: 5); return "ok"
            }
            await t.step("delete /a/b v0") {
                try await zk.delete("/a/b", version: 0); return "ok"
            }
            await t.step("children /a after") {
                let listing = try await zk.getChildrenAndStat("/a")
                return "\(listing.children) \(t.render(listing.stat))"
            }
            await t.step("delete /a") {
                try await zk.delete("/a"); return "ok"
            }
            await t.step("get /a") { try await zk.getData("/a").data.text }
            await t.step("all children /") { "\(try await zk.getAllChildrenNumber("/"))" }
            await t.step("stat /") { t.render(try await zk.exists("/")!) }
            await t.step("stat /zookeeper") { t.render(try await zk.exists("/zookeeper")!) }
            await t.step("children /zookeeper") { "\(try await zk.getChildren("/zookeeper").sorted())" }
            await t.step("acl /zookeeper/config") { "\(try await zk.getACL("/zookeeper/config").acl)" }
            await t.step("null data") {
                _ = try await zk.execute(
                    CreateRequest(path: "/null", data: nil, acl: ACL.openUnsafe, mode: .persistent), path: nil)
                let r = try await zk.execute(GetDataRequest(path: "/null"), path: nil)
                return "\(r.data.map { "\($0)" } ?? "null") \(t.render(r.stat))"
            }
        }
    }

    @Test func errorPrecedence() async throws {
        try await expectSameBehaviour { t in
            let (zk, _) = try await t.connect()
            try await zk.create("/p")
            try await zk.create("/p/c")
            try await zk.create("/e", mode: .ephemeral)
            await t.step("create existing") { try await zk.create("/p").path }
            await t.step("create under missing") { try await zk.create("/missing/x").path }
            await t.step("create under ephemeral") { try await zk.create("/e/x").path }
            await t.step("create existing under ephemeral") { try await zk.create("/e").path }
            await t.step("delete non-empty") {
                try await zk.delete("/p"); return "ok"
            }
            await t.step("delete non-empty bad version") {
                try await zk.delete("/p", version: 9); return "ok"
            }
            await t.step("delete missing under missing") {
                try await zk.delete("/missing/x"); return "ok"
            }
            await t.step("delete /") {
                _ = try await zk.execute(DeleteRequest(path: "/"), path: nil); return "ok"
            }
            await t.step("delete /zookeeper") {
                _ = try await zk.execute(DeleteRequest(path: "/zookeeper"), path: nil); return "ok"
            }
            await t.step("delete /zookeeper/quota") {
                _ = try await zk.execute(DeleteRequest(path: "/zookeeper/quota"), path: nil)
                return "ok"
            }
            await t.step("set missing bad version") { t.render(try await zk.setData("/missing", data: [], version: 3)) }
            await t.step("empty acl") { try await zk.create("/x", acl: []).path }
            await t.step("empty acl under missing") { try await zk.create("/missing/x", acl: []).path }
            await t.step("auth acl without auth") { try await zk.create("/x", acl: ACL.creatorAll).path }
            await t.step("world acl with bad id") {
                try await zk.create("/x", acl: [ACL(permissions: .all, id: Id(scheme: "world", id: "someone"))]).path
            }
            await t.step("unknown scheme") {
                try await zk.create("/x", acl: [ACL(permissions: .all, id: Id(scheme: "nope", id: "a"))]).path
            }
            await t.step("bad digest id") {
                try await zk.create("/x", acl: [ACL(permissions: .all, id: Id(scheme: "digest", id: "nocolon"))]).path
            }
            await t.step("bad ip") {
                try await zk.create("/x", acl: [ACL(permissions: .all, id: Id(scheme: "ip", id: "300.1.1.1"))]).path
            }
            await t.step("ip cidr") {
                try await zk.create("/ipnet", acl: [ACL(permissions: .all, id: Id(scheme: "ip", id: "127.0.0.0/8"))])
                    .path
            }
            await t.step("read ip-guarded") { try await zk.getData("/ipnet").data.text }
            await t.step("bad flags") {
                _ = try await zk.execute(
                    Create2Request(path: "/f", data: [], acl: ACL.openUnsafe, mode: CreateMode(rawValue: 7)), path: nil)
                return "ok"
            }
            await t.step("ttl disabled") {
                _ = try await zk.execute(
                    CreateTTLRequest(path: "/t", data: [], acl: ACL.openUnsafe, mode: .persistentWithTTL, ttl: 100),
                    path: nil)
                return "ok"
            }
        }
    }

    @Test func badPaths() async throws {
        try await expectSameBehaviour { t in
            let (zk, _) = try await t.connect()
            try await zk.create("/ok")
            for path in [
                "", "nope", "/ok/", "//", "/ok//x", "/ok/.", "/ok/..", "/ok/./x", "/a\u{1}", "/a\u{7F}", "/a\u{FFF0}",
                "/ok\u{0}", "/a\u{1F600}",
            ] {
                let label = path.unicodeScalars.map {
                    $0.value < 0x20 || $0.value >= 0x7F ? "\\u\($0.value)" : String($0)
                }.joined()
                await t.step("create '\(label)'") {
                    try await zk.execute(
                        CreateRequest(path: path, data: [], acl: ACL.openUnsafe, mode: .persistent), path: nil
                    ).path
                }
                await t.step("get '\(label)'") {
                    _ = try await zk.execute(GetDataRequest(path: path), path: nil)
                    return "ok"
                }
                await t.step("set '\(label)'") {
                    _ = try await zk.execute(SetDataRequest(path: path, data: []), path: nil)
                    return "ok"
                }
            }
            await t.step("sequential dot segment") {
                try await zk.execute(
                    CreateRequest(path: "/ok/..", data: [], acl: ACL.openUnsafe, mode: .persistentSequential), path: nil
                ).path
            }
            await t.step("sequential trailing slash") {
                try await zk.execute(
                    CreateRequest(path: "/ok/", data: [], acl: ACL.openUnsafe, mode: .persistentSequential), path: nil
                ).path
            }
        }
    }

    @Test func sequentialNames() async throws {
        try await expectSameBehaviour { t in
            let (zk, _) = try await t.connect()
            try await zk.create("/q")
            for index in 0..<3 {
                await t.step("seq \(index)") { try await zk.create("/q/item-", mode: .persistentSequential).path }
            }
            await t.step("delete item 1") {
                try await zk.delete("/q/item-0000000001"); return "ok"
            }
            await t.step("seq after delete") { try await zk.create("/q/item-", mode: .ephemeralSequential).path }
            await t.step("plain child") { try await zk.create("/q/plain").path }
            await t.step("seq after plain") { try await zk.create("/q/", mode: .persistentSequential).path }
            await t.step("stat /q") { t.render(try await zk.exists("/q")!) }
        }
    }

    @Test func ephemeralsAndSessions() async throws {
        try await expectSameBehaviour { t in
            let (zk, events) = try await t.connect()
            let (member, _) = try await t.connect()
            try await zk.create("/cluster")
            await t.step("watch children") { "\(try await zk.watchChildren("/cluster").children)" }
            await t.step("watch member") { "\(try await zk.watchExists("/cluster/m1").stat.map(t.render) ?? "nil")" }
            await t.step("register") {
                t.render(try await member.create("/cluster/m1", data: "a".utf8Bytes, mode: .ephemeral).stat)
            }
            await t.step("register 2") { try await member.create("/cluster/m2", mode: .ephemeralSequential).path }
            await t.step("events") { try await events.drain() }
            await t.step("ephemerals of member") { "\(try await member.getEphemerals().sorted())" }
            await t.step("ephemerals prefix") { "\(try await member.getEphemerals(prefix: "/cluster/m1"))" }
            await t.step("ephemerals of zk") { "\(try await zk.getEphemerals())" }
            await t.step("watch again") { "\(try await zk.watchChildren("/cluster").children.sorted())" }
            await t.step("watch m1 data") { try await zk.watchData("/cluster/m1").data.text }
            try await member.close()
            await t.step("events after close") { try await events.drain() }
            await t.step("children after close") { "\(try await zk.getChildrenAndStat("/cluster").children)" }
            await t.step("stat after close") { t.render(try await zk.exists("/cluster")!) }
        }
    }

    @Test func watches() async throws {
        try await expectSameBehaviour { t in
            let (zk, events) = try await t.connect()
            let (writer, _) = try await t.connect()
            try await zk.create("/w", data: "0".utf8Bytes)
            try await zk.create("/w/child")
            _ = try await zk.watchData("/w")
            _ = try await zk.watchData("/w")
            _ = try await zk.watchChildren("/w")
            _ = try await zk.watchExists("/w/new")
            await t.step("set") { t.render(try await writer.setData("/w", data: "1".utf8Bytes)) }
            await t.step("events after set") { try await events.drain() }
            await t.step("set again (watch used)") { t.render(try await writer.setData("/w", data: "2".utf8Bytes)) }
            await t.step("events after second set") { try await events.drain() }
            await t.step("create child") { try await writer.create("/w/new").path }
            await t.step("events after create") { try await events.drain() }
            _ = try await zk.watchData("/w/new")
            _ = try await zk.watchChildren("/w/new")
            await t.step("delete") {
                try await writer.delete("/w/new"); return "ok"
            }
            await t.step("events after delete") { try await events.drain() }
            await t.step("check data watch") { "\(try await zk.checkWatches("/w", type: .data))" }
            _ = try await zk.watchData("/w")
            await t.step("check data watch set") { "\(try await zk.checkWatches("/w", type: .data))" }
            await t.step("check child watch") { "\(try await zk.checkWatches("/w", type: .children))" }
            await t.step("check any") { "\(try await zk.checkWatches("/w", type: .any))" }
            await t.step("check persistent type") { "\(try await zk.checkWatches("/w", type: .persistent))" }
            await t.step("remove data") {
                try await zk.removeWatches("/w", type: .data); return "ok"
            }
            await t.step("remove data again") {
                try await zk.removeWatches("/w", type: .data); return "ok"
            }
            await t.step("setACL fires nothing") { t.render(try await writer.setACL("/w", acl: ACL.openUnsafe)) }
            await t.step("sync") {
                try await writer.sync("/w"); return "ok"
            }
            await t.step("events after acl") { try await events.drain() }
        }
    }

    @Test func persistentWatches() async throws {
        try await expectSameBehaviour { t in
            let (zk, events) = try await t.connect()
            let (writer, _) = try await t.connect()
            try await zk.create("/p")
            _ = try await zk.addWatch("/p", mode: .persistent)
            _ = try await zk.addWatch("/", mode: .persistentRecursive)
            await t.step("create child") { try await writer.create("/p/a", data: "x".utf8Bytes).path }
            await t.step("create grandchild") { try await writer.create("/p/a/b").path }
            await t.step("set p") { t.render(try await writer.setData("/p", data: "1".utf8Bytes)) }
            await t.step("set grandchild") { t.render(try await writer.setData("/p/a/b", data: "1".utf8Bytes)) }
            await t.step("delete grandchild") {
                try await writer.delete("/p/a/b"); return "ok"
            }
            await t.step("events") { try await events.drain() }
            await t.step("check any on /") { "\(try await zk.checkWatches("/", type: .any))" }
            await t.step("remove any on /") {
                try await zk.removeWatches("/", type: .any); return "ok"
            }
            await t.step("set after removal") { t.render(try await writer.setData("/p/a", data: "2".utf8Bytes)) }
            await t.step("events after removal") { try await events.drain() }
        }
    }

    @Test func multiAndMultiRead() async throws {
        try await expectSameBehaviour { t in
            let (zk, events) = try await t.connect()
            try await zk.create("/m", data: "0".utf8Bytes)
            _ = try await zk.watchData("/m")
            await t.step("multi ok") {
                try await zk.multi([
                    .check("/m", version: 0), .setData("/m", data: "1".utf8Bytes, version: 0), .create("/m/a"),
                    .create("/m/s-", mode: .persistentSequential), .delete("/m/a"),
                ]).map(t.render).joined(separator: "; ")
            }
            await t.step("events") { try await events.drain() }
            await t.step("multi fails") {
                try await zk.multi([.create("/m/b"), .check("/m", version: 0), .delete("/m")]).map(t.render).joined(
                    separator: "; ")
            }
            await t.step("multi failure results") {
                do {
                    try await zk.multi([.create("/m/b"), .setData("/nope", data: []), .delete("/m")])
                    return "no error"
                } catch let error as ZooKeeperError {
                    return (error.multiResults ?? []).map(t.render).joined(separator: "; ")
                }
            }
            await t.step("nothing applied") { "\(try await zk.getChildren("/m").sorted())" }
            await t.step("zxid after failures") { t.render(try await zk.create("/m/z").stat) }
            await t.step("empty multi") { try await zk.multi([]).map(t.render).joined(separator: "; ") }
            await t.step("multiRead") {
                try await zk.multiRead([.getData("/m"), .getChildren("/m"), .getData("/nope"), .getChildren("/nope")])
                    .map(t.render).joined(separator: "; ")
            }
        }
    }

    @Test func accessControl() async throws {
        try await expectSameBehaviour { t in
            let (owner, _) = try await t.connect()
            let (stranger, _) = try await t.connect()
            try await owner.addDigestAuth(user: "alice", password: "pw")
            await t.step("create with auth acl") {
                try await owner.create("/s", data: "x".utf8Bytes, acl: ACL.creatorAll).path
            }
            await t.step("acl") { "\(try await owner.getACL("/s").acl)" }
            await t.step("stranger reads") { try await stranger.getData("/s").data.text }
            await t.step("stranger exists") { try await stranger.exists("/s").map(t.render) ?? "nil" }
            await t.step("stranger children") { "\(try await stranger.getChildren("/s"))" }
            await t.step("stranger acl") { "\(try await stranger.getACL("/s").acl)" }
            await t.step("stranger creates child") { try await stranger.create("/s/c").path }
            await t.step("stranger deletes") {
                try await stranger.delete("/s"); return "ok"
            }
            await t.step("read-only acl") {
                try await owner.create(
                    "/r", data: "r".utf8Bytes, acl: ACL.readUnsafe + [.digest(user: "alice", password: "pw")]
                ).path
            }
            await t.step("stranger reads r") { try await stranger.getData("/r").data.text }
            await t.step("stranger writes r") { t.render(try await stranger.setData("/r", data: [])) }
            await t.step("stranger setACL r") { t.render(try await stranger.setACL("/r", acl: ACL.openUnsafe)) }
            try await stranger.addDigestAuth(user: "alice", password: "wrong")
            await t.step("wrong password reads") { try await stranger.getData("/s").data.text }
            await t.step("whoami") { "\(try await stranger.whoAmI().map { "\($0.authScheme):\($0.user)" })" }
            try await stranger.addDigestAuth(user: "alice", password: "pw")
            await t.step("right password reads") { try await stranger.getData("/s").data.text }
            await t.step("setACL bad version") {
                t.render(try await owner.setACL("/s", acl: ACL.openUnsafe, version: 3))
            }
            await t.step("setACL") { t.render(try await owner.setACL("/s", acl: ACL.openUnsafe, version: 0)) }
            await t.step("setACL empty") { t.render(try await owner.setACL("/s", acl: [])) }
            await t.step("delete child of create-less parent") {
                try await owner.create("/nodelete", acl: [ACL(permissions: [.read, .create], id: .anyone)])
                try await owner.create("/nodelete/c")
                try await stranger.delete("/nodelete/c")
                return "ok"
            }
            await t.step("delete missing child of delete-less parent") {
                try await stranger.delete("/nodelete/missing")
                return "ok"
            }
        }
    }

    /// A watch fires for a node the watcher may not read, but the notification is not sent
    /// (Apache ZooKeeper 3.8 checks READ on delivery): found by the generative test.
    @Test func notificationsNeedRead() async throws {
        try await expectSameBehaviour { t in
            let (watcher, events) = try await t.connect()
            let (alice, _) = try await t.connect(authentication: [.digest(user: "alice", password: "pw")])
            let secret = [ACL.digest(user: "alice", password: "pw")]
            try await alice.create("/open")
            _ = try await watcher.watchExists("/open/secret")
            _ = try await watcher.watchChildren("/open")
            await t.step("create unreadable") { try await alice.create("/open/secret", acl: secret).path }
            await t.step("events") { try await events.drain() }
            await t.step("watch used up") { "\(try await watcher.checkWatches("/open/secret", type: .data))" }
            try await alice.create("/hidden", acl: secret)
            _ = try await watcher.addWatch("/hidden", mode: .persistent)
            await t.step("child of unreadable") { try await alice.create("/hidden/c").path }
            await t.step("set unreadable") { t.render(try await alice.setData("/hidden", data: [1])) }
            await t.step("events under unreadable") { try await events.drain() }
            try await alice.setACL("/hidden", acl: ACL.openUnsafe)
            await t.step("set readable") { t.render(try await alice.setData("/hidden", data: [2])) }
            await t.step("events when readable") { try await events.drain() }
        }
    }

    @Test func containersAndTTL() async throws {
        try await expectSameBehaviour(extendedTypes: true) { t in
            let (zk, _) = try await t.connect()
            await t.step("container") { t.render(try await zk.create("/c", mode: .container).stat) }
            await t.step("child") { try await zk.create("/c/x", mode: .ephemeral).path }
            await t.step("ttl node") {
                t.render(try await zk.create("/t", mode: .persistentWithTTL, ttl: .seconds(60)).stat)
            }
            await t.step("ttl sequential") {
                try await zk.create("/t-", mode: .persistentSequentialWithTTL, ttl: .seconds(60)).path
            }
            await t.step("ttl zero") {
                _ = try await zk.execute(
                    CreateTTLRequest(path: "/t0", data: [], acl: ACL.openUnsafe, mode: .persistentWithTTL, ttl: 0),
                    path: nil)
                return "ok"
            }
            await t.step("ttl too big") {
                _ = try await zk.execute(
                    CreateTTLRequest(
                        path: "/tb", data: [], acl: ACL.openUnsafe, mode: .persistentWithTTL, ttl: 0x1_00_0000_0000),
                    path: nil)
                return "ok"
            }
            await t.step("ttl on plain mode") {
                _ = try await zk.execute(
                    CreateTTLRequest(path: "/tp", data: [], acl: ACL.openUnsafe, mode: .persistent, ttl: 10), path: nil)
                return "ok"
            }
            await t.step("container op with plain mode") {
                _ = try await zk.execute(
                    CreateContainerRequest(path: "/cp", data: [], acl: ACL.openUnsafe, mode: .persistent), path: nil)
                return "ok"
            }
            await t.step("ephemeral under container ok") { try await zk.exists("/c/x").map(t.render) ?? "nil" }
        }
    }
}
