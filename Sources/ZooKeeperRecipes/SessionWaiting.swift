import ZooKeeper

extension ZooKeeperClient {
    /// Returns once the client has a session on a server (at once if it has one now).
    /// - Throws: `ZooKeeperError` `.clientClosed` when the client is closed, or `.sessionExpired`
    ///   when it stays expired or failed authentication, since no session will come back.
    func waitUntilConnected() async throws {
        for await state in states() {
            switch state {
            case .connected, .connectedReadOnly, .saslAuthenticated: return
            case .closed: throw ZooKeeperError(.clientClosed, "the client is closed")
            case .authFailed: throw ZooKeeperError(.authFailed, "the server refused the credentials")
            default: try Task.checkCancellation()
            }
        }
        try Task.checkCancellation()
        throw ZooKeeperError(.sessionExpired, "the session ended and is not recreated")
    }
}

extension ZooKeeperError {
    /// Whether the error is a lost connection or session, after which a recipe can carry on once
    /// the client is connected again.
    var isRecoverable: Bool {
        [.connectionLoss, .sessionExpired, .operationTimeout, .requestTimeout].contains(code)
    }
}
