import ZooKeeper

extension ZooKeeperError {
    /// Whether the error is a lost connection or session, after which a recipe can carry on once
    /// the client is connected again.
    var isRecoverable: Bool {
        [.connectionLoss, .sessionExpired, .operationTimeout, .requestTimeout].contains(code)
    }
}
