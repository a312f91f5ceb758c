import Foundation
import ZooKeeper
import ZooKeeperTestSupport

/// The faults a round can inject, as Jepsen's ZooKeeper test and ClickHouse Keeper's suite do.
enum Fault: String, CaseIterable, Sendable {
    case isolateLeader = "partition isolating the leader"
    case splitMajority = "majority/minority split"
    case bridge = "bridge (one member sees both halves)"
    case oneWayFromLeader = "one-way loss of the leader's packets to its followers"
    case cutClientsFromMember = "clients cut off a member they use"
    case slowLossyLinks = "delay and 10% loss on every member"
    case pauseLeader = "leader paused (SIGSTOP)"
    case pauseClientsMember = "a member clients use paused (SIGSTOP)"
    case isolateLockHolder = "the lock holder's only member cut off from the others past the session timeout"

    /// How long the fault is held: `duration`, or past the session timeout for a fault that is
    /// there to expire a session.
    func held(for duration: Duration) -> Duration {
        self == .isolateLockHolder ? max(duration, jepsenSessionTimeout * 2) : duration
    }
}

/// Injects faults into a namespaced ensemble and heals them, choosing victims with a seeded
/// generator.
struct Nemesis {
    let ensemble: NamespacedEnsemble
    /// The only member the long lock holder's session can use.
    let lockHolderMember: Int
    var random: SeededGenerator
    private var paused: [Int] = []

    init(ensemble: NamespacedEnsemble, lockHolderMember: Int, seed: UInt64) {
        self.ensemble = ensemble
        self.lockHolderMember = lockHolderMember
        random = SeededGenerator(seed: seed)
    }

    /// The faults of `rounds` rounds: every kind in turn, in an order the seed shuffles.
    mutating func schedule(rounds: Int) -> [Fault] {
        var faults: [Fault] = []
        while faults.count < rounds { faults += Fault.allCases.shuffled(using: &random) }
        return Array(faults.prefix(rounds))
    }

    /// Injects `fault`; returns what it did, naming the members.
    mutating func inject(_ fault: Fault, clients: [ZooKeeperClient]) async throws -> String {
        let members = Array(1...ensemble.size)
        let leader = await ensemble.leader() ?? members.randomElement(using: &random)!
        let followers = members.filter { $0 != leader }
        switch fault {
        case .isolateLeader:
            try await ensemble.partition([leader], followers)
            return "member \(leader) (leader) cut off from \(followers)"
        case .splitMajority:
            let shuffled = members.shuffled(using: &random)
            let minority = Array(shuffled.prefix((members.count - 1) / 2))
            let majority = Array(shuffled.dropFirst(minority.count))
            try await ensemble.partition(minority, majority)
            return "minority \(minority) cut off from majority \(majority) (leader \(leader))"
        case .bridge:
            let shuffled = members.shuffled(using: &random)
            let half = (members.count - 1) / 2
            let (left, right) = (Array(shuffled.prefix(half)), Array(shuffled.suffix(half)))
            try await ensemble.partition(left, right)
            let bridge = members.filter { !left.contains($0) && !right.contains($0) }
            return "\(left) cut off from \(right), \(bridge) sees both (leader \(leader))"
        case .oneWayFromLeader:
            for follower in followers { try await ensemble.block(from: leader, to: follower) }
            return "packets from member \(leader) (leader) to \(followers) dropped, not the other way"
        case .cutClientsFromMember:
            let victim = await connectedMember(of: clients) ?? leader
            try await ensemble.isolateFromClients(victim)
            return "clients cut off member \(victim)\(victim == leader ? " (leader)" : "")"
        case .slowLossyLinks:
            var how = ""
            for member in members { how = try await ensemble.degrade(member, delayMilliseconds: 50, lossPercent: 10) }
            return "every member's link delayed and 10% lossy (\(how))"
        case .pauseLeader:
            try ensemble.pause(leader)
            paused.append(leader)
            return "member \(leader) (leader) paused"
        case .pauseClientsMember:
            let victim = await connectedMember(of: clients) ?? leader
            try ensemble.pause(victim)
            paused.append(victim)
            return "member \(victim)\(victim == leader ? " (leader)" : "") paused, a client was connected to it"
        case .isolateLockHolder:
            let others = members.filter { $0 != lockHolderMember }
            try await ensemble.partition([lockHolderMember], others)
            return "member \(lockHolderMember), the long lock holder's only one, cut off from \(others)"
        }
    }

    /// Removes every fault and resumes paused members.
    mutating func heal() async throws {
        for member in paused { try ensemble.resume(member) }
        paused = []
        try await ensemble.heal()
    }

    /// The member a randomly chosen connected client is on.
    private mutating func connectedMember(of clients: [ZooKeeperClient]) async -> Int? {
        for client in clients.shuffled(using: &random) {
            guard let server = try? await client.session().server?.description else { continue }
            if let member = (1...ensemble.size).first(where: { ensemble.address(of: $0) == server }) {
                return member
            }
        }
        return nil
    }
}
