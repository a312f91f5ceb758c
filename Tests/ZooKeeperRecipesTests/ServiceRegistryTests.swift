import Foundation
import Synchronization
import Testing
import ZooKeeper
import ZooKeeperRecipes
import ZooKeeperTestSupport

@Suite(.timeLimit(.minutes(3))) struct ServiceRegistryTests {
    @Test(arguments: Target.allCases)
    func instancesAreDiscoveredAndTheirSetIsFollowed(_ target: Target) async throws {
        try await target.run { connect, root in
            let observer = ServiceRegistry(client: try await connect(), basePath: root + "/services")
            var updates = observer.updates(of: "api").makeAsyncIterator()
            #expect(try await updates.next() == [])

            let first = ServiceRegistry(client: try await connect(), basePath: root + "/services")
            let a = ServiceInstance(name: "api", address: "10.0.0.5", port: 8080, id: "a", payload: ["zone": "east"])
            let registrationA = try await first.register(a)
            #expect(try await updates.next() == [a])
            let second = ServiceRegistry(client: try await connect(), basePath: root + "/services")
            let b = ServiceInstance(name: "api", address: "::1", port: 9090, id: "b")
            let registrationB = try await second.register(b)
            #expect(try await updates.next() == [a, b])
            #expect(try await observer.instances(of: "api") == [a, b])
            #expect(try await observer.services() == ["api"])
            #expect(b.endpoint == "[::1]:9090")

            // The node holds the instance as JSON.
            let json = try await observer.client.getData(root + "/services/api/a").data
            let object = try JSONSerialization.jsonObject(with: Data(json)) as! [String: Any]
            #expect(object["address"] as? String == "10.0.0.5")
            #expect(object["port"] as? Int == 8080)
            #expect(object["payload"] as? [String: String] == ["zone": "east"])
            #expect((object["registrationTimeUTC"] as? Int64 ?? 0) > 0)

            // An id can be registered only once.
            await #expect(throws: ZooKeeperError.self) {
                _ = try await second.register(ServiceInstance(name: "api", address: "10.0.0.6", id: "a"))
            }
            try await registrationA.unregister()
            #expect(try await updates.next() == [b])
            // A dead instance's session ends: it leaves the registry.
            try await second.client.close()
            #expect(try await updates.next() == [])
            try await registrationB.unregister()
            #expect(try await observer.instances(of: "api") == [])
        }
    }

    @Test(arguments: Target.allCases)
    func anInstanceIsRegisteredAgainAfterItsSessionExpires(_ target: Target) async throws {
        try await target.runExpiring { proxied, connect, root, expire, _ in
            let registry = ServiceRegistry(client: proxied, basePath: root + "/services")
            let instance = ServiceInstance(name: "api", address: "10.0.0.5", port: 8080, id: "a")
            let registration = try await registry.register(instance)
            let observer = try await connect()
            let oldSession = try await proxied.session().id
            #expect(try await observer.exists(registration.path)?.ephemeralOwner == oldSession)
            let seen = Snapshots()
            let following = Task {
                for try await snapshot in ServiceRegistry(client: observer, basePath: root + "/services").updates(
                    of: "api")
                {
                    seen.append(snapshot)
                }
            }
            defer { following.cancel() }
            try await eventually { seen.all == [[instance]] }

            try await expire { seen.all.last == [] }
            // Back on a new session, the instance is registered again, with the same data.
            try await eventually { seen.all.last == [instance] }
            #expect(seen.all == [[instance], [], [instance]])
            let newSession = try await proxied.session().id
            #expect(newSession != oldSession)
            #expect(try await observer.exists(registration.path)?.ephemeralOwner == newSession)

            try await registration.unregister()
            try await eventually { seen.all.last == [] }
        }
    }
}

extension ServiceRegistryTests {
    @Test func instancesWrittenByCuratorAreRead() throws {
        let curator = """
            {"name":"api","id":"6f1c","address":"10.20.30.40","port":1234,"sslPort":null,"payload":null,\
            "registrationTimeUTC":1325129459728,"serviceType":"DYNAMIC","uriSpec":null}
            """
        let instance = try ServiceInstance(decoding: Array(curator.utf8))
        #expect(instance.id == "6f1c")
        #expect(instance.endpoint == "10.20.30.40:1234")
        #expect(instance.payload == [:])
        #expect(instance.registrationTimeUTC == 1_325_129_459_728)
        // And ours round-trips.
        let ours = ServiceInstance(name: "api", address: "h", id: "x", payload: ["k": "v"])
        #expect(try ServiceInstance(decoding: ours.encoded()) == ours)
        #expect(String(decoding: try ours.encoded(), as: UTF8.self).contains(#""payload":{"k":"v"}"#))
    }
}

/// The snapshots a stream yielded, in order.
final class Snapshots: Sendable {
    private let snapshots = Mutex<[[ServiceInstance]]>([])
    func append(_ snapshot: [ServiceInstance]) { snapshots.withLock { $0.append(snapshot) } }
    var all: [[ServiceInstance]] { snapshots.withLock { $0 } }
}
