import ServiceLifecycle
import ZooKeeper

/// A job that runs only while this process leads an election or holds a lock, as a
/// swift-service-lifecycle `Service`: it campaigns (or waits for the lock), runs the job while it
/// owns, and when ownership is lost (see ``LeaderElection/lead(_:)``) cancels the job and
/// campaigns again. At graceful shutdown the job is cancelled and the candidate withdraws.
///
/// ```swift
/// let election = LeaderElection(client: zk, path: "/election/reports", id: "node-1")
/// let reports = ExclusiveJob(election: election, client: zk) {
///     while !Task.isCancelled { try await Task.sleep(for: .seconds(60)) }
/// }
/// let group = ServiceGroup(services: [zk, reports], logger: logger)
/// ```
///
/// Put it after its client in the group: a group shuts its services down in reverse order, so
/// the candidate withdraws before the session closes. The withdrawal is bounded: when the
/// server does not answer within `withdrawalTimeout`, the client is closed (its session's nodes
/// go with it) so that the shutdown goes on.
public struct ExclusiveJob: Service {
    private let own: @Sendable (@Sendable @escaping () async throws -> Void) async throws -> Void
    private let client: ZooKeeperClient
    private let withdrawalTimeout: Duration
    private let job: @Sendable () async throws -> Void

    /// Runs `job` whenever this candidate leads `election`.
    /// - Parameters:
    ///   - election: the election to campaign in.
    ///   - client: the election's client.
    ///   - withdrawalTimeout: how long the shutdown waits for the job to stop and the candidate
    ///     to withdraw before it closes the client.
    ///   - job: runs while leading; must honour cancellation.
    public init(
        election: LeaderElection, client: ZooKeeperClient, withdrawalTimeout: Duration = .seconds(2),
        _ job: @Sendable @escaping () async throws -> Void
    ) {
        self.init(own: { body in try await election.lead(body) }, client, withdrawalTimeout, job)
    }

    /// Runs `job` whenever this process holds `lock`.
    /// - Parameters:
    ///   - lock: the lock to hold.
    ///   - client: the lock's client.
    ///   - withdrawalTimeout: how long the shutdown waits for the job to stop and the lock to be
    ///     released before it closes the client.
    ///   - job: runs while holding the lock; must honour cancellation.
    public init(
        lock: DistributedLock, client: ZooKeeperClient, withdrawalTimeout: Duration = .seconds(2),
        _ job: @Sendable @escaping () async throws -> Void
    ) {
        self.init(own: { body in try await lock.withLock(body) }, client, withdrawalTimeout, job)
    }

    private init(
        own: @Sendable @escaping (@Sendable @escaping () async throws -> Void) async throws -> Void,
        _ client: ZooKeeperClient, _ withdrawalTimeout: Duration, _ job: @Sendable @escaping () async throws -> Void
    ) {
        self.own = own
        self.client = client
        self.withdrawalTimeout = withdrawalTimeout
        self.job = job
    }

    /// Campaigns and runs the job until graceful shutdown, the job's return, the client's close,
    /// or an error that is not a loss of ownership.
    public func run() async throws {
        let own = self.own
        let job = self.job
        try await boundedAtShutdown(client: client, grace: withdrawalTimeout) {
            try await cancelWhenGracefulShutdown {
                while true {
                    do {
                        return try await own(job)
                    } catch is OwnershipLost {
                        continue
                    } catch  where Task.isCancelled {
                        return
                    }
                }
            }
        }
    }
}
