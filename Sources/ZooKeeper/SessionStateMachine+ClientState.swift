extension SessionStateMachine {
    /// The client state the session's phase shows its users.
    var derivedState: ZooKeeperClient.State {
        switch phase {
        case .connected(let readOnly): readOnly ? .connectedReadOnly : .connected
        case .idle, .connecting, .handshaking, .waitingToReconnect: sessionID != 0 ? .suspended : .connecting
        case .authenticating(_, let newSession, _): newSession ? .connecting : .suspended
        case .closing, .closed: .closed
        case .expired: .expired
        case .authFailed: .authFailed
        }
    }

    /// Why the client takes no more requests (closing or closed, expired, refused credentials);
    /// nil while it does.
    var terminalError: ZooKeeperError? {
        if isClosing { return ZooKeeperError(.clientClosed, "the client was closed") }
        switch phase {
        case .expired: return ZooKeeperError(.sessionExpired, "the session expired")
        case .authFailed: return ZooKeeperError(.authFailed, "the server rejected the credentials")
        default: return nil
        }
    }
}
