import Foundation
import Synchronization
import Testing
import ZooKeeper
import ZooKeeperRecipes
import ZooKeeperServer
import ZooKeeperTestSupport

/// Where a recipe test runs: our embedded server and a real Apache ZooKeeper.
enum Target: String, CaseIterable, Sendable {
    case embedded, apache

    /// Runs `body` with a way to open sessions and a fresh root path; closes every session.
    func run(
        _ body: (_ connect: @escaping @Sendable () async throws -> ZooKeeperClient, _ root: String) async throws -> Void
    ) async throws {
        let root = "/recipes-\(UUID().uuidString.prefix(8))"
        let opened = OpenedClients()
        switch self {
        case .embedded:
            try await ZooKeeperServer.withServer { server in
                try await body(Self.connecting(server.connectString, opened), root)
                await opened.closeAll()
            }
        case .apache:
            try await body(Self.connecting(try await SharedApacheZooKeeper.connectString(), opened), root)
            await opened.closeAll()
        }
    }

    /// Opens sessions to `address` (10 s session timeout), each kept in `opened` to be closed.
    static func connecting(_ address: String, _ opened: OpenedClients) -> @Sendable () async throws -> ZooKeeperClient {
        {
            var configuration = ZooKeeperClient.Configuration()
            configuration.sessionTimeout = .seconds(10)
            configuration.connectTimeout = .seconds(20)
            let client = try await ZooKeeperClient.connect(address, configuration: configuration)
            opened.append(client)
            return client
        }
    }
}

@Suite(.timeLimit(.minutes(3))) struct RecipeTests {
    @Test(arguments: Target.allCases)
    func theLockIsNeverHeldTwiceAndNoIncrementIsLost(_ target: Target) async throws {
        try await target.run { connect, root in
            let setup = try await connect()
            try await setup.create(root)
            try await setup.create(root + "/stock", data: Array("0".utf8))
            let critical = CriticalSection()
            let workers = 6
            let rounds = 15
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<workers {
                    group.addTask {
                        let zk = try await connect()
                        let lock = DistributedLock(client: zk, path: root + "/lock")
                        for _ in 0..<rounds {
                            try await lock.withLock {
                                critical.enter()
                                // An unversioned read-modify-write: safe only under the lock.
                                let value = Int(
                                    String(decoding: try await zk.getData(root + "/stock").data, as: UTF8.self))!
                                try await zk.setData(root + "/stock", data: Array(String(value + 1).utf8))
                                critical.leave()
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(critical.overlaps == 0)
            #expect(
                String(decoding: try await setup.getData(root + "/stock").data, as: UTF8.self) == "\(workers * rounds)")
            #expect(try await setup.getChildren(root + "/lock").isEmpty)
        }
    }

    @Test(arguments: Target.allCases)
    func waitersWatchOnlyTheirPredecessorAndTimeOutCleanly(_ target: Target) async throws {
        try await target.run { connect, root in
            let holder = DistributedLock(client: try await connect(), path: root + "/lock")
            try await holder.acquire()
            let observer = try await connect()
            // Three waiters queue behind the holder.
            let waiters = try await (0..<3).asyncMap { _ in
                DistributedLock(client: try await connect(), path: root + "/lock")
            }
            let tasks = waiters.map { lock in Task { try await lock.acquire() } }
            try await eventually { try await observer.getChildren(root + "/lock").count == 4 }
            // A fourth gives up after its timeout and leaves no node behind.
            let impatient = DistributedLock(client: try await connect(), path: root + "/lock")
            await #expect(throws: RecipeTimeout.self) { try await impatient.acquire(timeout: .milliseconds(300)) }
            #expect(try await observer.getChildren(root + "/lock").count == 4)
            // Each release wakes exactly one waiter (whichever queued first among those left).
            try await holder.release()
            var acquired = 0
            for _ in waiters {
                try await eventually { waiters.contains(where: \.isHeld) }
                let holders = waiters.filter(\.isHeld)
                #expect(holders.count == 1)
                acquired += 1
                try await holders.first?.release()
            }
            for task in tasks { try await task.value }
            #expect(acquired == 3)
        }
    }

    @Test(arguments: Target.allCases)
    func aDeadHoldersLockPassesOn(_ target: Target) async throws {
        try await target.run { connect, root in
            let doomed = try await connect()
            try await DistributedLock(client: doomed, path: root + "/lock").acquire()
            let next = DistributedLock(client: try await connect(), path: root + "/lock")
            let waiting = Task { try await next.acquire() }
            try await Task.sleep(for: .milliseconds(200))
            #expect(!next.isHeld)
            try await doomed.close()  // the holder's session ends
            try await waiting.value
            #expect(next.isHeld)
        }
    }

    @Test(arguments: Target.allCases)
    func aNewLeaderTakesOverWhenTheLeaderGoes(_ target: Target) async throws {
        try await target.run { connect, root in
            let observer = try await connect()
            let leaders = Leaders()
            let first = try await connect()
            let firstElection = LeaderElection(client: first, path: root + "/election", id: "node-1")
            let firstTask = Task {
                try await firstElection.lead {
                    leaders.withLock { $0.append("node-1") }
                    try await Task.sleep(for: .seconds(60))
                }
            }
            try await eventually { leaders.withLock { $0 } == ["node-1"] }
            let second = LeaderElection(client: try await connect(), path: root + "/election", id: "node-2")
            let secondTask = Task {
                try await second.lead { leaders.withLock { $0.append("node-2") } }
            }
            try await eventually { try await second.candidates() == ["node-1", "node-2"] }
            #expect(leaders.withLock { $0 } == ["node-1"])
            // The leader's session ends: its body is cancelled and the other candidate leads.
            try await first.close()
            await #expect(throws: (any Error).self) { try await firstTask.value }
            try await secondTask.value
            #expect(leaders.withLock { $0 } == ["node-1", "node-2"])
            #expect(try await observer.getChildren(root + "/election").isEmpty)
        }
    }

    @Test(arguments: Target.allCases)
    func queueItemsAreTakenExactlyOnceInOrder(_ target: Target) async throws {
        try await target.run { connect, root in
            let producer = DistributedQueue(client: try await connect(), path: root + "/queue")
            let single = try await connect()
            let probe = DistributedQueue(client: single, path: root + "/queue")
            #expect(try await probe.poll() == nil)
            for index in 0..<3 { try await producer.put(Array("first-\(index)".utf8)) }
            #expect(try await probe.peek() == Array("first-0".utf8))
            #expect(try await probe.take() == Array("first-0".utf8))
            #expect(try await probe.take() == Array("first-1".utf8))
            #expect(try await probe.take() == Array("first-2".utf8))
            // Competing consumers, one blocked in take() before anything arrives.
            let total = 120
            let taken = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        let queue = DistributedQueue(client: try await connect(), path: root + "/queue")
                        var mine: [String] = []
                        while mine.count < total {
                            var next = try await queue.poll()
                            if next == nil && mine.isEmpty { next = try await queue.take() }
                            guard let item = next else { break }
                            if String(decoding: item, as: UTF8.self) == "stop" { break }
                            mine.append(String(decoding: item, as: UTF8.self))
                        }
                        return mine
                    }
                }
                for index in 0..<total { try await producer.put(Array("item-\(index)".utf8)) }
                for _ in 0..<4 { try await producer.put(Array("stop".utf8)) }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(taken.count == total)
            #expect(Set(taken).count == total)
        }
    }

    @Test(arguments: Target.allCases)
    func concurrentIncrementsAreNeverLost(_ target: Target) async throws {
        try await target.run { connect, root in
            let setup = try await connect()
            try await setup.create(root)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<5 {
                    group.addTask {
                        let counter = SharedCounter(client: try await connect(), path: root + "/counter")
                        for _ in 0..<20 { try await counter.add(1) }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await SharedCounter(client: setup, path: root + "/counter").value() == 100)
        }
    }

    @Test(arguments: Target.allCases)
    func aCounterCreatesItsNodeAndMissingParents(_ target: Target) async throws {
        try await target.run { connect, root in
            let path = root + "/counters/visits"
            // The first increments race to create the node and its parents: none is lost.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        let counter = SharedCounter(client: try await connect(), path: path)
                        for _ in 0..<5 { try await counter.add(1) }
                    }
                }
                try await group.waitForAll()
            }
            let zk = try await connect()
            #expect(try await zk.getData(path).data == Array("20".utf8))
            #expect(try await zk.getChildren(root) == ["counters"])
        }
    }

    @Test(arguments: Target.allCases)
    func aCounterDeletedMeanwhileCountsFromZeroAgain(_ target: Target) async throws {
        try await target.run { connect, root in
            let path = root + "/counter"
            let zk = try await connect()
            let counter = SharedCounter(client: try await connect(), path: path)
            // One session deletes the counter again and again while another adds: an add that
            // finds the node gone, even between its read and its write, counts from 0 again
            // instead of failing.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        do {
                            try await zk.delete(path)
                        } catch let error as ZooKeeperError where error.code == .noNode {
                            await Task.yield()
                        }
                    }
                }
                var restarts = 0
                while restarts < 20 {
                    if try await counter.add(1) == 1 { restarts += 1 }
                }
                group.cancelAll()
                try? await group.waitForAll()
            }
        }
    }
}

/// Counts the times two holders were inside the critical section at once.
final class CriticalSection: Sendable {
    private let inside = Atomic<Int>(0)
    private let overlapCount = Atomic<Int>(0)
    func enter() {
        if inside.add(1, ordering: .sequentiallyConsistent).newValue > 1 { overlapCount.add(1, ordering: .relaxed) }
    }
    func leave() { inside.subtract(1, ordering: .sequentiallyConsistent) }
    var overlaps: Int { overlapCount.load(ordering: .relaxed) }
}

/// The order in which candidates became leader.
final class Leaders: @unchecked Sendable {
    private let lock = NSLock()
    private var names: [String] = []
    func withLock<T>(_ body: (inout [String]) -> T) -> T { lock.withLock { body(&names) } }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}

extension RecipeTests {
    /// A release whose delete is lost to a dropped connection is retried on the resumed session:
    /// the holder's node must not stay first in line and block every later contender.
    @Test func aReleaseLostToAConnectionDropIsRetried() async throws {
        try await ZooKeeperServer.withServer { server in
            let proxy = try await TCPProxy.start(upstreamPort: server.port)
            defer { proxy.stop() }
            var configuration = ZooKeeperClient.Configuration()
            configuration.sessionTimeout = .seconds(10)
            let holder = try await ZooKeeperClient.connect("127.0.0.1:\(proxy.port)", configuration: configuration)
            let other = try await ZooKeeperClient.connect(server.connectString, configuration: configuration)
            let lock = DistributedLock(client: holder, path: "/lock")
            try await lock.acquire()
            let session = try await holder.session().id

            // The delete is sent into a dead path, then the connection drops.
            proxy.stall()
            let release = Task { try await lock.release() }
            try await eventually { try await other.getChildren("/lock").count == 1 }
            try await Task.sleep(for: .milliseconds(300))
            proxy.unstall()
            proxy.block()
            proxy.unblock()

            try await release.value
            #expect(try await holder.session().id == session)
            #expect(try await other.getChildren("/lock").isEmpty)
            try await DistributedLock(client: other, path: "/lock").acquire(timeout: .seconds(10))
            try await holder.close()
            try await other.close()
        }
    }
}
