import Foundation
import Testing
import ZooKeeper
import ZooKeeperProtocol
import ZooKeeperServer
import ZooKeeperTestSupport

/// The data directory: what is acknowledged survives a restart, a kill -9 and a torn log tail.
@Suite(.timeLimit(.minutes(3))) struct DurabilityTests {
    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("zk-data-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func configuration(_ directory: String, snapshotEvery: Int = 100_000) -> ZooKeeperServer.Configuration {
        var configuration = ZooKeeperServer.Configuration(port: 0)
        configuration.dataDirectory = directory
        configuration.snapshotEvery = snapshotEvery
        configuration.tickTime = .milliseconds(200)
        // Long enough for a restart under load before the restored sessions expire.
        configuration.maxSessionTimeout = .seconds(60)
        return configuration
    }

    /// Every node's path, data, ACL and stat.
    static func dump(_ zk: ZooKeeperClient, _ path: String = "/") async throws -> [String] {
        let node = try await zk.getData(path)
        let (data, stat) = (node.data, node.stat)
        let acl = try await zk.getACL(path).acl
        var lines = ["\(path) \(data) \(acl) \(stat)"]
        for child in try await zk.getChildren(path).sorted() {
            lines += try await dump(zk, path == "/" ? "/" + child : path + "/" + child)
        }
        return lines
    }

    @Test(arguments: [100_000, 7])
    func theTreeAndSessionsSurviveARestart(snapshotEvery: Int) async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try await ZooKeeperServer.start(
            configuration: Self.configuration(directory, snapshotEvery: snapshotEvery))
        var clientConfiguration = ZooKeeperClient.Configuration()
        clientConfiguration.sessionTimeout = .seconds(30)
        let zk = try await ZooKeeperClient.connect(server.connectString, configuration: clientConfiguration)
        try await zk.create("/app", data: [1, 2, 3])
        try await zk.create("/app/config", data: Array("v1".utf8))
        try await zk.setData("/app/config", data: Array("v2".utf8))
        let first = try await zk.create("/app/q-", mode: .persistentSequential).path
        try await zk.create("/app/q-", mode: .persistentSequential)
        try await zk.delete(first)
        try await zk.addDigestAuth(user: "u", password: "p")
        try await zk.create("/app/secret", acl: ACL.creatorAll)
        try await zk.setACL("/app", acl: ACL.openUnsafe, version: 0)
        try await zk.multi([.create("/app/m1"), .setData("/app", data: [4])])
        _ = try? await zk.multi([.create("/app/m2"), .delete("/nope")])
        try await zk.create("/app/eph", mode: .ephemeral)
        let before = try await Self.dump(zk)
        let session = try await zk.session()
        try await server.shutdown()

        let restarted = try await ZooKeeperServer.start(
            configuration: Self.configuration(directory, snapshotEvery: snapshotEvery))
        var resume = clientConfiguration
        resume.resumeSession = session.credentials
        resume.recreateSessionOnExpiry = false
        resume.authentication = [.digest(user: "u", password: "p")]
        let again = try await ZooKeeperClient.connect(restarted.connectString, configuration: resume)
        #expect(try await again.session().id == session.id)
        let after = try await Self.dump(again)
        #expect(after == before, "differences: \(after.difference(from: before).map { "\($0)" })")
        // Zxids continue from where they were.
        let stat = try await again.create("/after").stat
        #expect(stat.czxid > session.lastZxidSeen)
        try await again.close()
        try await zk.close()
        try await restarted.shutdown()
    }

    /// A tree of thousands of nodes (a parent of 4,000 children, a chain forty deep with leaves
    /// at every level, ephemeral nodes, several ACLs), most of it in a snapshot and the rest in
    /// the log: a restart brings back every node, stat and ACL, and the wide parent lists its
    /// children in the same order.
    @Test func aLargeTreeIsRecoveredExactlyWithItsChildrenInOrder() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = Self.configuration(directory, snapshotEvery: 100)
        let server = try await ZooKeeperServer.start(configuration: configuration)
        var clientConfiguration = ZooKeeperClient.Configuration()
        clientConfiguration.sessionTimeout = .seconds(60)
        let zk = try await ZooKeeperClient.connect(server.connectString, configuration: clientConfiguration)
        let readOnly = [ACL(permissions: .read, id: .anyone)]
        try await zk.create("/wide")
        for batch in stride(from: 0, to: 4000, by: 500) {
            try await zk.multi(
                (batch..<batch + 500).map { index in
                    .create(
                        "/wide/c-\(index * 7919 % 100_000)", data: Array("\(index)".utf8),
                        acl: index % 100 == 0 ? readOnly : ACL.openUnsafe)
                })
        }
        var path = "/deep"
        for level in 0..<40 {
            try await zk.create(path, data: [UInt8(level)])
            for leaf in 0..<3 { try await zk.create(path + "-leaf\(leaf)") }
            path += "/d\(level)"
        }
        try await zk.create("/eph")
        for index in 0..<200 { try await zk.create("/eph/e-\(index)", mode: .ephemeral) }
        try await zk.setData("/wide", data: [9])
        let order = try await zk.getChildren("/wide")
        let before = try await Self.dump(zk)
        let session = try await zk.session()
        try await server.shutdown()
        #expect(try DataDirectory(directory).snapshots.contains { $0.zxid > 0 })

        let restarted = try await ZooKeeperServer.start(configuration: configuration)
        var resume = clientConfiguration
        resume.resumeSession = session.credentials
        resume.recreateSessionOnExpiry = false
        let again = try await ZooKeeperClient.connect(restarted.connectString, configuration: resume)
        #expect(try await again.getChildren("/wide") == order)
        let after = try await Self.dump(again)
        #expect(after.count == before.count)
        #expect(after == before, "differences: \(after.difference(from: before).prefix(5).map { "\($0)" })")
        try await again.close()
        try await zk.close()
        try await restarted.shutdown()
    }

    @Test func everyAcknowledgedWriteSurvivesKill9() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = ZooKeeperClient.Configuration()
        configuration.connectTimeout = .seconds(20)
        configuration.sessionTimeout = .seconds(10)
        // A create issued after the kill waits for a reconnect that cannot come until the writers
        // have stopped: it must give up instead (generously, since each write is fsynced).
        configuration.requestTimeout = .seconds(30)
        let (server, restart, zk, _) = try await Self.serveProcess(directory, snapshotEvery: 500, configuration)
        let acknowledged = Locked<[String]>([])
        let killed = Locked(false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for index in 0..<100_000 {
                        if Task.isCancelled { return }
                        let path = "/w/n-\(writer)-\(index)"
                        do {
                            try await zk.create(path, data: Array("\(index)".utf8))
                            acknowledged.withLock { $0.append(path) }
                        } catch {
                            // The server died: what was acknowledged is what counts.
                            if killed.withLock({ $0 }) { return }
                            throw error
                        }
                    }
                }
            }
            group.addTask {
                // Each write is fsynced before its reply: on a busy disk that can be slow.
                try await eventually(within: .seconds(120)) { acknowledged.withLock { $0.count } >= 1000 }
                killed.withLock { $0 = true }
                kill(server.processIdentifier, SIGKILL)
                await ChildProcess.waitUntilExit(server)
            }
            try await group.waitForAll()
        }
        try await zk.close()
        let present = try await restart()
        let paths = acknowledged.withLock { $0 }
        let lost = paths.filter { !present.contains($0) }
        #expect(lost.isEmpty, "\(lost.count) acknowledged writes lost, e.g. \(lost.prefix(5))")
        #expect(paths.count >= 1000)
        print(
            "kill -9: \(paths.count) acknowledged writes, all \(lost.isEmpty ? "present" : "NOT present") after restart"
        )
    }

    /// zk serve in a process of its own on `directory`, and a client of it that created /w;
    /// `restart` starts it again on the same port (the first run picks a free one itself) and
    /// directory, and returns the paths under /w then; `log` is what the first run has logged so far.
    static func serveProcess(
        _ directory: String, snapshotEvery: Int, _ configuration: ZooKeeperClient.Configuration
    ) async throws -> (
        Process, restart: @Sendable () async throws -> Set<String>, ZooKeeperClient, log: @Sendable () -> String
    ) {
        let arguments = ["--data-dir", directory, "--snapshot-every", "\(snapshotEvery)"]
        let (server, address, log) = try await ServeProcess.startLogging(arguments)
        let port = Int(address.split(separator: ":").last!)!
        let zk = try await ZooKeeperClient.connect("127.0.0.1:\(port)", configuration: configuration)
        try await zk.create("/w")
        let restart: @Sendable () async throws -> Set<String> = {
            let (restarted, _) = try await ServeProcess.start(port: port, arguments)
            let present: Set<String>
            do {
                let reader = try await ZooKeeperClient.connect("127.0.0.1:\(port)", configuration: configuration)
                present = Set(try await reader.getChildren("/w").map { "/w/" + $0 })
                try await reader.close()
            } catch {
                restarted.terminate()
                await ChildProcess.waitUntilExit(restarted)
                throw error
            }
            restarted.terminate()
            await ChildProcess.waitUntilExit(restarted)
            return present
        }
        return (server, restart, zk, log)
    }

    /// SIGTERM while writes go on and snapshots are being written (one falls due every ten
    /// writes of a tree of megabytes, so one is nearly always being written): zk serve finishes
    /// the one being written before it exits, so no half-written `.tmp` file is left, and every
    /// acknowledged write is there after a restart.
    @Test func sigtermDuringSnapshotsLeavesNoHalfWrittenFile() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = ZooKeeperClient.Configuration()
        configuration.connectTimeout = .seconds(60)
        configuration.sessionTimeout = .seconds(30)
        configuration.requestTimeout = .seconds(60)
        let (server, restart, zk, log) = try await Self.serveProcess(directory, snapshotEvery: 10, configuration)
        let acknowledged = Locked<[String]>([])
        let writer = Task {
            let data = [UInt8](repeating: 7, count: 64 * 1024)
            for index in 0... {
                guard let path = try? await zk.create("/w/n-\(index)", data: data).path else { return }
                acknowledged.withLock { $0.append(path) }
            }
        }
        try await eventually(within: .seconds(120), waitingFor: "200 acknowledged writes") {
            acknowledged.withLock { $0.count } >= 200
        }
        kill(server.processIdentifier, SIGTERM)
        await ChildProcess.waitUntilExit(server)
        // A create sent after the connection went would wait for a server to come back.
        writer.cancel()
        await writer.value
        #expect(server.terminationStatus == 0, "zk serve logged: \(log())")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory + "/version-2")
        #expect(files.filter { $0.hasSuffix(".tmp") }.isEmpty, "left: \(files.sorted())")
        try? await zk.close()
        let present = try await restart()
        #expect(acknowledged.withLock { $0 }.filter { !present.contains($0) }.isEmpty)
    }

    /// A shutdown while batches of writes are being logged: the batch being written ends, the
    /// next is not started, and the server does not call that a failure. (It once handed the next
    /// batch to the log's thread after that had stopped, and reported the log as failed.)
    @Test func aShutdownDuringGroupCommitsIsNoFailure() async throws {
        for round in 0..<30 {
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let server = try await ZooKeeperServer.start(configuration: Self.configuration(directory))
            let zk = try await ZooKeeperClient.connect(server.connectString)
            let acknowledged = Locked(0)
            let writers = Task {
                await withTaskGroup(of: Void.self) { group in
                    for writer in 0..<32 {
                        group.addTask {
                            for index in 0... {
                                guard (try? await zk.create("/n-\(writer)-\(index)")) != nil else { return }
                                acknowledged.withLock { $0 += 1 }
                            }
                        }
                    }
                }
            }
            try await eventually(within: .seconds(60), waitingFor: "200 acknowledged writes") {
                acknowledged.withLock { $0 } >= 200
            }
            try await server.shutdown()
            await #expect(throws: Never.self, "round \(round)") { try await server.waitUntilClosed() }
            writers.cancel()
            await writers.value
            // The server is gone: the close does not wait for it (it would, up to two seconds).
            let closing = Task { try? await zk.close() }
            closing.cancel()
            await closing.value
        }
    }

    /// The newest snapshot damaged where only its checksum tells (a byte of a node's data, so
    /// every node is read, and the tree built from them, before the checksum at its end fails):
    /// the server passes over it and starts from the snapshot before it and the logs after that.
    @Test func aDamagedNewestSnapshotIsPassedOver() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try await ZooKeeperServer.start(configuration: Self.configuration(directory, snapshotEvery: 10))
        let zk = try await ZooKeeperClient.connect(server.connectString)
        try await zk.create("/big")
        let data = [UInt8](repeating: 0x41, count: 1000)
        for batch in 0..<30 {
            try await zk.multi((0..<100).map { .create("/big/n\(batch * 100 + $0)", data: data) })
        }
        try await zk.close()
        try await server.shutdown()
        let snapshots = try DataDirectory(directory).snapshots
        let newest = try #require(snapshots.last)
        #expect(snapshots.count >= 2)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: newest.path))
        #expect(bytes.count > 2_000_000, "the newest snapshot holds most nodes")
        bytes[bytes.count * 6 / 10] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: newest.path))
        #expect(throws: DataFileError.self) { try DataDirectory.readSnapshot(newest.path) }
        let restarted = try await ZooKeeperServer.start(configuration: Self.configuration(directory))
        let again = try await ZooKeeperClient.connect(restarted.connectString)
        let names = try await again.getChildren("/big")
        #expect(Set(names) == Set((0..<3000).map { "n\($0)" }))
        let read = try await again.getData(names.map { "/big/" + $0 })
        #expect(read.allSatisfy { (try? $0.get().data) == data })
        try await again.close()
        try await restarted.shutdown()
    }

    /// What a write cut short leaves (a snapshot's or an epoch file's `.tmp`) is removed at
    /// start; other files stay.
    @Test func filesAnInterruptedWriteLeftAreRemovedAtStart() async throws {
        let (directory, _) = try await Self.directoryWithTwentyNodes()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let version2 = directory + "/version-2/"
        for name in ["snapshot.15.tmp", "snapshot.16.gz.tmp", "currentEpoch.tmp", "notes.tmp"] {
            #expect(FileManager.default.createFile(atPath: version2 + name, contents: Data([1, 2, 3])))
        }
        let server = try await ZooKeeperServer.start(configuration: Self.configuration(directory))
        let zk = try await ZooKeeperClient.connect(server.connectString)
        #expect(try await zk.getChildren("/").count == 21)
        let left = try FileManager.default.contentsOfDirectory(atPath: version2).filter { $0.hasSuffix(".tmp") }
        #expect(left == ["notes.tmp"])
        try await zk.close()
        try await server.shutdown()
    }

    /// Writes 20 nodes into a fresh directory and returns the path of its one log.
    static func directoryWithTwentyNodes() async throws -> (directory: String, log: URL) {
        let directory = try temporaryDirectory()
        let server = try await ZooKeeperServer.start(configuration: configuration(directory))
        let zk = try await ZooKeeperClient.connect(server.connectString)
        for index in 0..<20 { try await zk.create("/n\(index)") }
        try await zk.close()
        try await server.shutdown()
        return (directory, URL(fileURLWithPath: directory).appendingPathComponent("version-2/log.1"))
    }

    @Test func aTornLogTailIsCutOff() async throws {
        let (directory, log) = try await Self.directoryWithTwentyNodes()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var bytes = try Data(contentsOf: log)
        // A torn record: a length promising more than is there.
        bytes.append(contentsOf: [0, 0, 1, 0, 0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3])
        try bytes.write(to: log)
        let restarted = try await ZooKeeperServer.start(configuration: Self.configuration(directory))
        let zk = try await ZooKeeperClient.connect(restarted.connectString)
        #expect(try await zk.getAllChildrenNumber("/") == 20 + 3)
        try await zk.create("/after")
        try await zk.close()
        try await restarted.shutdown()
        #expect(try Data(contentsOf: log).count == bytes.count - 11)
    }

    @Test func aCorruptRecordEndsTheNewestLogAndWhatPrecedesItIsKept() async throws {
        let (directory, log) = try await Self.directoryWithTwentyNodes()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var bytes = try Data(contentsOf: log)
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: log)
        let restarted = try await ZooKeeperServer.start(configuration: Self.configuration(directory))
        let zk = try await ZooKeeperClient.connect(restarted.connectString)
        let count = try await zk.getAllChildrenNumber("/")
        #expect(count > 3 && count < 20 + 3)
        try await zk.close()
        try await restarted.shutdown()
    }

    @Test func aDamagedOlderLogRefusesToStart() async throws {
        let (directory, log) = try await Self.directoryWithTwentyNodes()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var bytes = try Data(contentsOf: log)
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: log)
        try TxnLogFile.encodedHeader().readableBytesView.withUnsafeBytes {
            try Data($0).write(to: log.deletingLastPathComponent().appendingPathComponent("log.99"))
        }
        let error = await #expect(throws: DataDirectoryError.self) {
            _ = try await ZooKeeperServer.start(configuration: Self.configuration(directory))
        }
        #expect(error?.description.hasPrefix("log.1 is damaged at byte ") == true, "\(String(describing: error))")
        #expect(error?.description.hasSuffix(" and newer logs follow; refusing to start") == true)
    }

    @Test func aDirectoryOfTheEarlierFormatIsRefused() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data([0, 0, 0, 9, 1, 2, 3, 4, 5]).write(
            to: URL(fileURLWithPath: directory).appendingPathComponent("log.0000000000000001"))
        let error = await #expect(throws: DataDirectoryError.self) {
            _ = try await ZooKeeperServer.start(configuration: Self.configuration(directory))
        }
        #expect(error?.description.contains("holds log.0000000000000001 at its top level") == true)
    }
}

/// A value behind a lock, for tests.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
