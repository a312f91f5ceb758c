import ZooKeeper

extension ZooKeeperClient {
    /// Deletes a recipe's own node, tolerating that it is already gone. A delete lost to a
    /// connection failure is retried (requests wait for the reconnect): a node left behind would
    /// stay in line for as long as the session lives, and others would wait on it.
    func withdraw(_ node: String) async throws {
        while true {
            do {
                try await delete(node)
                return
            } catch let error as ZooKeeperError where error.code == .noNode {
                return
            } catch let error as ZooKeeperError where error.code == .connectionLoss {
                continue
            }
        }
    }
}
