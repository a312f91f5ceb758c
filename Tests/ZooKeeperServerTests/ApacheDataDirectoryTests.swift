import Foundation
import Testing
import ZooKeeper
import ZooKeeperProtocol
import ZooKeeperServer
import ZooKeeperTestSupport

/// A data directory written by Apache ZooKeeper 3.8 opens in the embedded server, and one the
/// embedded server wrote opens in Apache ZooKeeper, with the same tree, stats, ACLs and sessions
/// (the open session resumes on the other server with its password).
@Suite(.timeLimit(.minutes(5))) struct ApacheDataDirectoryTests {
    static let extendedTypes = ["-Dzookeeper.extendedTypesEnabled=true"]

    static var clientConfiguration: ZooKeeperClient.Configuration {
        var configuration = ZooKeeperClient.Configuration()
        configuration.sessionTimeout = .seconds(30)
        configuration.authentication = [.digest(user: "alice", password: "secret")]
        return configuration
    }

    /// Creates, sequential, ephemeral, container and TTL nodes, ACLs, multis (one failing),
    /// failed writes and a quota.
    static func workload(_ zk: ZooKeeperClient) async throws {
        try await zk.create("/app", data: Array("root".utf8))
        try await zk.create("/app/config", data: Array("v1".utf8))
        try await zk.setData("/app/config", data: Array("v2".utf8))
        try await zk.create("/app/secret", data: [1], acl: ACL.creatorAll)
        try await zk.create("/app/readonly", acl: [ACL(permissions: .read, id: .anyone)])
        let first = try await zk.create("/app/q-", mode: .persistentSequential).path
        try await zk.create("/app/q-", data: [2], mode: .persistentSequential)
        try await zk.delete(first)
        try await zk.create("/app/eph", data: [9], mode: .ephemeral)
        try await zk.create("/app/eph-", mode: .ephemeralSequential)
        try await zk.create("/app/box", mode: .container)
        try await zk.create("/app/box/item", data: [3])
        try await zk.create("/app/ttl", data: [4], mode: .persistentWithTTL, ttl: .seconds(3600))
        try await zk.multi([
            .create("/app/m1"), .setData("/app", data: [5]), .check("/app/config", version: 1),
        ])
        _ = try? await zk.multi([.create("/app/m2"), .delete("/nope")])
        try await zk.setACL("/app/m1", acl: [ACL(permissions: [.read, .write], id: .anyone)], version: 0)
        _ = try? await zk.setData("/app/readonly", data: [1])
        _ = try? await zk.create("/app/config")
        try await zk.setQuota("/app", Quota(count: 100))
        try await zk.create("/app/after-quota", data: Array(repeating: 7, count: 100))
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("zk-apache-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func serverConfiguration(_ directory: String) -> ZooKeeperServer.Configuration {
        var configuration = DurabilityTests.configuration(directory)
        configuration.extendedTypesEnabled = true
        configuration.tickTime = .seconds(2)
        return configuration
    }

    static func resume(_ session: ZooKeeperClient.Session) -> ZooKeeperClient.Configuration {
        var configuration = clientConfiguration
        configuration.resumeSession = session.credentials
        configuration.recreateSessionOnExpiry = false
        return configuration
    }

    @Test func aDirectoryApacheWroteOpensInTheEmbeddedServer() async throws {
        let copy = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try await ApacheZooKeeper.with(tickTime: 2000, extraProperties: Self.extendedTypes) { apache in
            let zk = try await ZooKeeperClient.connect(apache.connectString, configuration: Self.clientConfiguration)
            try await Self.workload(zk)
            let before = try await DurabilityTests.dump(zk)
            let session = try await zk.session()
            // Every write was fsynced before its reply: a copy now is what a crash would leave.
            try FileManager.default.removeItem(atPath: copy)
            try FileManager.default.copyItem(atPath: apache.dataDirectory(), toPath: copy)
            let server = try await ZooKeeperServer.start(configuration: Self.serverConfiguration(copy))
            let again = try await ZooKeeperClient.connect(server.connectString, configuration: Self.resume(session))
            #expect(try await again.session().id == session.id)
            let after = try await DurabilityTests.dump(again)
            #expect(after == before, "differences: \(after.difference(from: before).map { "\($0)" })")
            #expect(try await server.sessions().map(\.id).contains(session.id))
            #expect(try await again.quota("/app").usage == (try await zk.quota("/app").usage))
            try await again.close()
            try await server.shutdown()
            try? await zk.close()
        }
    }

    /// Every seventh transaction a snapshot, or none but the first: then Apache replays every
    /// record of the log, multis included (ZooKeeper 3.8.0 drops a multi logged with a create2).
    @Test(arguments: SnapshotCompression.allCases, [7, 1_000_000])
    func aDirectoryTheEmbeddedServerWroteOpensInApache(compression: SnapshotCompression, snapshotEvery: Int)
        async throws
    {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = Self.serverConfiguration(directory)
        configuration.snapshotEvery = snapshotEvery
        configuration.snapshotCompression = compression
        let server = try await ZooKeeperServer.start(configuration: configuration)
        let zk = try await ZooKeeperClient.connect(server.connectString, configuration: Self.clientConfiguration)
        try await Self.workload(zk)
        let before = try await DurabilityTests.dump(zk)
        let session = try await zk.session()
        try await server.shutdown()
        let files = try DataDirectory(directory)
        // Only the first snapshot (at zxid 0) when none fell due.
        let newest = files.snapshots.last { $0.name.hasSuffix(compression.fileExtension) }
        #expect((newest?.zxid ?? -1) > 0 || (snapshotEvery > 100 && newest?.zxid == 0))
        try await ApacheZooKeeper.with(tickTime: 2000, extraProperties: Self.extendedTypes, seedData: directory) {
            apache in
            let again = try await ZooKeeperClient.connect(apache.connectString, configuration: Self.resume(session))
            #expect(try await again.session().id == session.id)
            let after = try await DurabilityTests.dump(again)
            #expect(after == before, "differences: \(after.difference(from: before).map { "\($0)" })")
            try await again.close()
        }
        try? await zk.close()
    }

    /// Writers at once, so that records share log writes and snapshots fall anywhere among
    /// them: the directory opens with the same tree in the embedded server and in Apache.
    @Test(arguments: [SnapshotCompression.none, .gzip])
    func aDirectoryWrittenUnderConcurrentWritesOpensAlikeInBoth(compression: SnapshotCompression) async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = Self.serverConfiguration(directory)
        configuration.snapshotEvery = 5
        configuration.snapshotCompression = compression
        let server = try await ZooKeeperServer.start(configuration: configuration)
        let zk = try await ZooKeeperClient.connect(server.connectString, configuration: Self.clientConfiguration)
        try await zk.create("/w")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<6 {
                group.addTask {
                    for index in 0..<40 {
                        let path = "/w/n-\(writer)-\(index)"
                        switch index % 4 {
                        case 0: try await zk.create(path, data: [UInt8(index)])
                        case 1: try await zk.multi([.create(path), .setData("/w", data: [UInt8(writer)])])
                        case 2: _ = try? await zk.multi([.create(path), .delete("/nope")])
                        default:
                            try await zk.create(path, mode: .ephemeral)
                            try await zk.setData(path, data: [1, 2])
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let before = try await DurabilityTests.dump(zk)
        let session = try await zk.session()
        try await server.shutdown()
        let files = try DataDirectory(directory)
        let listing =
            "snapshots \(files.snapshots.map(\.name)), logs \(files.logs.map(\.name))"
        try await ApacheZooKeeper.with(tickTime: 2000, extraProperties: Self.extendedTypes, seedData: directory) {
            apache in
            let again = try await ZooKeeperClient.connect(apache.connectString, configuration: Self.resume(session))
            let after = try await DurabilityTests.dump(again)
            #expect(after == before, "\(listing); differences: \(after.difference(from: before).map { "\($0)" })")
        }
        let restarted = try await ZooKeeperServer.start(configuration: configuration)
        let again = try await ZooKeeperClient.connect(restarted.connectString, configuration: Self.resume(session))
        let after = try await DurabilityTests.dump(again)
        #expect(after == before, "\(listing); differences: \(after.difference(from: before).map { "\($0)" })")
        try await again.close()
        try await restarted.shutdown()
        try? await zk.close()
    }

    /// zk serve killed (SIGKILL) while snapshots fall due at every write: Apache opens the
    /// directory it leaves with every acknowledged write, and so does zk serve.
    @Test func aDirectoryLeftByAKilledServerOpensInApacheAndInZkServe() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (server, address) = try await ServeProcess.start(["--data-dir", directory, "--snapshot-every", "1"])
        var configuration = ZooKeeperClient.Configuration()
        configuration.sessionTimeout = .seconds(30)
        let zk = try await ZooKeeperClient.connect(address, configuration: configuration)
        try await zk.create("/k")
        for index in 0..<20 {
            try await zk.create("/k/n\(index)", data: Array("\(index)".utf8))
            if index % 3 == 0 { try await zk.setData("/k", data: [UInt8(index)]) }
        }
        let before = try await DurabilityTests.dump(zk)
        kill(server.processIdentifier, SIGKILL)
        await ChildProcess.waitUntilExit(server)
        try? await zk.close()
        try await ApacheZooKeeper.with(tickTime: 2000, seedData: directory) { apache in
            let reader = try await ZooKeeperClient.connect(apache.connectString)
            let after = try await DurabilityTests.dump(reader)
            #expect(after == before, "differences: \(after.difference(from: before).map { "\($0)" })")
            try await reader.close()
        }
        let restarted = try await ZooKeeperServer.start(configuration: Self.serverConfiguration(directory))
        let reader = try await ZooKeeperClient.connect(restarted.connectString)
        let after = try await DurabilityTests.dump(reader)
        #expect(after == before, "differences: \(after.difference(from: before).map { "\($0)" })")
        try await reader.close()
        try await restarted.shutdown()
    }
}
