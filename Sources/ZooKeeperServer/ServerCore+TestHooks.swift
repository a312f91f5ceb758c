import NIOCore

/// What `ZooKeeperServer`'s test hooks do, on the server's event loop.
extension ServerCore {
    /// Expires a session now; false when there is no such session.
    func expireSession(_ id: Int64) -> Bool {
        guard sessions[id] != nil else { return false }
        expire(id)
        commitJournal()
        return true
    }

    /// Stops reading from and writing to every connection, present and future (see `received`,
    /// `flush` and `closeNow`).
    func freeze() {
        frozen = true
    }

    /// Ends a freeze: connections closed meanwhile get their pending output and close, what the
    /// others received is processed in arrival order, and all pending output is written.
    func thaw() {
        guard frozen else { return }
        frozen = false
        for connection in closingOnThaw {
            if let output = connection.output { connection.channel.writeAndFlush(output, promise: nil) }
            connection.output = nil
            connection.channel.close(promise: nil)
        }
        closingOnThaw = []
        let inbound = frozenInbound
        frozenInbound = []
        for (connection, inbound) in inbound { received(inbound, on: connection) }
        for connection in connections.values { flush(connection) }
    }

    func sessionList() -> [ZooKeeperServer.SessionInfo] {
        sessions.sessions.values.sorted { $0.id < $1.id }.map { session in
            ZooKeeperServer.SessionInfo(
                id: session.id, timeout: .milliseconds(session.timeout),
                expiresAt: ContinuousClock.Instant(session.expiresAt),
                isConnected: session.connection != nil,
                ephemerals: database.tree.ephemeralPaths(of: session.id))
        }
    }

    func watchList() -> [ZooKeeperServer.WatchInfo] {
        database.watches.all.compactMap { table, path, connection in
            guard let session = connections[connection]?.session else { return nil }
            return ZooKeeperServer.WatchInfo(path: path, kind: .init(table), sessionID: session)
        }.sorted()
    }
}

extension ZooKeeperServer.WatchInfo.Kind {
    init(_ table: ServerWatchManager.Table) {
        switch table {
        case .data: self = .data
        case .child: self = .children
        case .persistent: self = .persistent
        case .persistentRecursive: self = .persistentRecursive
        }
    }
}
