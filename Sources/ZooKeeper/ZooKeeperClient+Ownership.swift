import NIOCore

/// Why work done under a session's ownership (its ephemeral nodes: a lock, leadership, a lease)
/// must stop: another client may own the same thing soon, or does already.
///
/// The server expires a session a session timeout after it last heard from the client. The
/// client knows when the server last answered it, so it knows the earliest moment the session
/// could expire, even while the network is frozen and nothing tells it so. Ownership ends a
/// safety margin before that moment, unless the server answers again in time.
public struct OwnershipLost: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// The server has not answered for so long that it could expire the session shortly (the
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
    /// Returns `margin` before the server could expire the session, unless the server answers
    /// meanwhile (every answer, pings included, moves that moment on), or at once when the
    /// session expired, was closed or is not the client's session any more. The session that
    /// created an ephemeral node is its `Stat.ephemeralOwner`.
    ///
    /// ```swift
    /// let worker = try await zk.create("/workers/w-", mode: .ephemeralSequential)
    /// let lost = try await zk.ownershipLost(sessionID: worker.stat.ephemeralOwner, margin: .seconds(1))
    /// print("stop working: \(lost)")
    /// ```
    ///
    /// The moment is computed from this client's clock, as the time the server last heard from
    /// the client: when the latest answered request or ping was sent. On an ensemble, a follower
    /// passes the touch on to the leader within half a tick; keep `margin` above that.
    ///
    /// - Throws: `CancellationError` when the waiting task is cancelled.
    public func ownershipLost(sessionID: Int64, margin: Duration) async throws -> OwnershipLost {
        let id = core.nextRequestID()
        let future = core.watchOwnership(
            id: id, sessionID: sessionID, margin: .nanoseconds(Int64(margin.milliseconds) * 1_000_000))
        return try await withTaskCancellationHandler {
            try await future.get()
        } onCancel: {
            core.cancelOwnershipWatch(id: id)
        }
    }
}
