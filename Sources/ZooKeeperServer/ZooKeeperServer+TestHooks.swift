// Failures to inflict on clients, and the state to check afterwards, for tests of how an
// application copes (the article TestingFailureHandling shows them at work).
extension ZooKeeperServer {
    /// Expires a session now, as the server does when its timeout passes unheard.
    ///
    /// Its ephemeral nodes are deleted, firing the watches other sessions hold on them, and its
    /// connection, if it has one, is closed, as Apache ZooKeeper does. The client learns of the
    /// expiry when it reconnects: the server refuses the session, and the client reports it
    /// expired (`ZooKeeperClient.State.expired`).
    ///
    /// - Parameter id: the session, as its client reports it (`ZooKeeperClient.Session.id`).
    /// - Returns: false when there is no such session (never created, closed, or expired already).
    @discardableResult
    public func expireSession(_ id: Int64) async throws -> Bool {
        try await core.eventLoop.submit { self.core.expireSession(id) }.get()
    }

    /// Closes every client connection, as a network failure would; sessions live on.
    ///
    /// Clients reconnect and resume their sessions: ephemeral nodes stay, watches are set again,
    /// and requests that were awaiting a reply fail with ConnectionLoss. Replies not yet written
    /// are lost with the connection.
    public func dropConnections() async throws {
        try await core.eventLoop.submit { self.core.closeAll() }.get()
    }

    /// Freezes every client connection, present and future, as a network path that stops
    /// carrying bytes: connections stay open, but the server reads nothing from them and writes
    /// nothing to them until ``thawConnections()``.
    ///
    /// Session clocks keep running: a session whose client stays unheard for its timeout expires
    /// during the freeze (its ephemeral nodes go), though its client cannot know until the thaw.
    /// A client may give up on its frozen connection and open another; that one is frozen too.
    public func freezeConnections() async throws {
        try await core.eventLoop.submit { self.core.freeze() }.get()
    }

    /// Ends a freeze; nothing is lost that the network would have delivered.
    ///
    /// As TCP delivers once a path clears: what the server had to send during the freeze (watch
    /// notifications, say) is written first, then what clients sent is processed in the order
    /// it arrived, and answered. A connection whose session expired during the freeze gets what
    /// was written to it before, then closes; what its client sent is dropped, and the client
    /// learns of the expiry when it reconnects. A connection its client closed during the freeze
    /// was closed on the server at once, and what it sent is dropped. Calling this when nothing
    /// is frozen does nothing.
    public func thawConnections() async throws {
        try await core.eventLoop.submit { self.core.thaw() }.get()
    }

    /// The sessions the server holds, by id.
    public func sessions() async throws -> [SessionInfo] {
        try await core.eventLoop.submit { self.core.sessionList() }.get()
    }

    /// The watches the server holds, ordered by session, then path, then kind.
    ///
    /// A watch belongs to a connection: while a client reconnects, its watches are missing until
    /// it sets them again.
    public func watches() async throws -> [WatchInfo] {
        try await core.eventLoop.submit { self.core.watchList() }.get()
    }
}
