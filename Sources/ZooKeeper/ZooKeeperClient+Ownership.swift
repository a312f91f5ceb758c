import NIOCore

/// Why work done under a session's ownership (its ephemeral nodes: a lock, leadership, a lease)
/// must stop: another client may own the same thing soon, or does already.
///
/// The leader expires a session a session timeout after it last heard from the client. The
/// client can prove a moment by which the leader had heard from it, so it knows the earliest
/// moment the session could expire, even while the network is frozen, or its server cut off from
/// the leader, and nothing tells it so. Ownership ends a safety margin before that moment, unless
/// contact is proven again in time.
public struct OwnershipLost: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// No contact with the leader proven for so long that it could expire the session shortly (the
        /// connection is lost, or frozen, and not back in time). The session may live on.
        case noContact
        /// The session expired.
        case sessionExpired
        /// The client was closed (and with it the session).
        case clientClosed
        /// The client has another session now, or the server refused its credentials.
        case sessionEnded
    }

    /// Why ownership ended.
    public var reason: Reason
    /// The session the ownership was held through.
    public var sessionID: Int64

    public init(reason: Reason, sessionID: Int64) {
        self.reason = reason
        self.sessionID = sessionID
    }

    public var description: String {
        switch reason {
        case .noContact: "no word from the server in time: the session may expire, and another client take over"
        case .sessionExpired: "the session expired"
        case .clientClosed: "the client was closed"
        case .sessionEnded: "the session ended"
        }
    }
}

extension ZooKeeperClient {
    /// Waits until work owned through session `sessionID` must stop, and says why.
    ///
    /// Returns `margin` before the leader could expire the session, unless contact is proven
    /// again meanwhile (see below), or at once when the
    /// session expired, was closed or is not the client's session any more. The session that
    /// created an ephemeral node is its `Stat.ephemeralOwner`.
    ///
    /// ```swift
    /// let worker = try await zk.create("/workers/w-", mode: .ephemeralSequential)
    /// let lost = try await zk.ownershipLost(sessionID: worker.stat.ephemeralOwner, margin: .seconds(1))
    /// print("stop working: \(lost)")
    /// ```
    ///
    /// The moment is computed from this client's clock, from the last contact with the leader the
    /// client can prove (the leader expires sessions; a follower cut off from it goes on answering
    /// pings for a while): the handshake, and answers followed, a third of the session timeout
    /// later or more, by a successful sync or write. While someone waits here the client syncs
    /// every 48th of the session timeout to keep proving it. When the proof is too old (nothing
    /// written for a while), a sync renews it first. This assumes a session timeout of at least
    /// two ticks, Apache ZooKeeper's default minimum.
    ///
    /// - Throws: `CancellationError` when the waiting task is cancelled.
    public func ownershipLost(sessionID: Int64, margin: Duration) async throws -> OwnershipLost {
        if try await needsLeaderContact(sessionID: sessionID, margin: margin) {
            // Judged by the watch either way: a failed sync leaves the proof as old as it was.
            do { try await sync() } catch is CancellationError { throw CancellationError() } catch {}
        }
        let id = core.nextRequestID()
        let future = core.watchOwnership(
            id: id, sessionID: sessionID, margin: .nanoseconds(Int64(margin.milliseconds) * 1_000_000))
        return try await withTaskCancellationHandler {
            try await future.get()
        } onCancel: {
            core.cancelOwnershipWatch(id: id)
        }
    }

    /// After a quiet spell, proves contact with the leader again with a sync (see
    /// `needsLeaderContact`), so that work under ownership through `sessionID` never starts
    /// unproven; the sync's failure is thrown.
    package func renewLeaderContact(sessionID: Int64, margin: Duration) async throws {
        if try await needsLeaderContact(sessionID: sessionID, margin: margin) { try await sync() }
    }

    /// Whether ownership through `sessionID` would end within a quarter of the session timeout
    /// for want of a recent proof of contact with the leader, which a sync would renew.
    private func needsLeaderContact(sessionID: Int64, margin: Duration) async throws -> Bool {
        let session = try await session()
        guard session.id == sessionID, session.state == .connected, let safeUntil = session.safeUntil else {
            return false
        }
        return safeUntil - margin <= .now + session.timeout / 4
    }
}
