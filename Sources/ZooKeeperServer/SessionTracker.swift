import NIOCore

/// A client session as the server tracks it.
struct ServerSession: Sendable {
    var id: Int64
    /// Derived when asked for (on connect and reconnect) rather than kept: 64 bytes of memory
    /// for each session.
    var password: [UInt8] { SessionPassword.derive(id) }
    /// The negotiated timeout in milliseconds.
    var timeout: Int32
    var expiresAt: NIODeadline
    /// The connection the session is attached to, if any.
    var connection: ConnectionID?
}

/// Sessions by id, with their deadlines (`SessionTrackerImpl`); no I/O, time passed in.
struct SessionTracker: Sendable {
    private(set) var sessions: [Int64: ServerSession] = [:]
    private var nextID: Int64

    /// Ids start from the clock, as ZooKeeper's do (`initializeNextSessionId`), so a restarted
    /// server does not reuse them. The shift right is unsigned, as Java's `>>>`: the top byte is
    /// the server id's, never 0xFF, which would make the sessions' ephemeral nodes read as TTL
    /// nodes in Apache ZooKeeper.
    init(serverID: Int64 = 0, nowMilliseconds: Int64) {
        nextID = Int64(bitPattern: UInt64(bitPattern: nowMilliseconds << 24) >> 8) | serverID << 56
    }

    subscript(id: Int64) -> ServerSession? { sessions[id] }

    var count: Int { sessions.count }

    /// A new session, with the password Apache ZooKeeper would give it (``SessionPassword``).
    mutating func create(timeout: Int32, now: NIODeadline) -> ServerSession {
        nextID += 1
        let session = ServerSession(
            id: nextID, timeout: timeout,
            expiresAt: now + .milliseconds(Int64(timeout)), connection: nil)
        sessions[session.id] = session
        return session
    }

    /// Restores a session from a snapshot or log, with a full timeout from now to reconnect in.
    mutating func restore(_ id: Int64, timeout: Int32, now: NIODeadline) {
        sessions[id] = ServerSession(
            id: id, timeout: timeout,
            expiresAt: now + .milliseconds(Int64(timeout)),
            connection: nil)
        nextID = max(nextID, id)
    }

    /// Any packet from the session's client keeps it alive for another timeout.
    mutating func touch(_ id: Int64, now: NIODeadline) {
        guard let timeout = sessions[id]?.timeout else { return }
        sessions[id]!.expiresAt = now + .milliseconds(Int64(timeout))
    }

    mutating func attach(_ id: Int64, to connection: ConnectionID?) {
        sessions[id]?.connection = connection
    }

    mutating func setTimeout(_ id: Int64, _ timeout: Int32) {
        sessions[id]?.timeout = timeout
    }

    mutating func remove(_ id: Int64) {
        sessions[id] = nil
    }

    /// Sessions whose deadline has passed.
    func expired(now: NIODeadline) -> [Int64] {
        sessions.values.filter { $0.expiresAt <= now }.map(\.id).sorted()
    }
}
