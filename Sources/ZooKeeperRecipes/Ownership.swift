import ZooKeeper

/// How long before the server could expire the session a recipe gives up what it holds: a fifth
/// of the session timeout (at least 100 ms). Work cancelled then has that long to stop before
/// another process could take over.
func ownershipMargin(_ client: ZooKeeperClient) async throws -> Duration {
    let timeout = try await client.session().timeout
    return max(.milliseconds(100), .nanoseconds(timeout.nanoseconds / 5))
}

/// Runs `body` while ownership through session `sessionID` lasts (a held lock, leadership, a
/// lease); when it ends first, cancels `body`, waits for it to return and throws `OwnershipLost`.
/// `body` must honour cancellation: ownership cannot be taken back from code that ignores it.
func whileOwned<T: Sendable>(
    _ client: ZooKeeperClient, sessionID: Int64, _ body: @Sendable () async throws -> T
) async throws -> T {
    let margin = try await ownershipMargin(client)
    // After a quiet spell, the body starts only once a sync has proven contact with the leader
    // again (see `ZooKeeperClient.ownershipLost(sessionID:margin:)`).
    try await client.renewLeaderContact(sessionID: sessionID, margin: margin)
    return try await withoutActuallyEscaping(body) { body in
        try await withThrowingTaskGroup(of: Outcome<T>.self) { group in
            group.addTask { .finished(try await body()) }
            group.addTask { .lost(try await client.ownershipLost(sessionID: sessionID, margin: margin)) }
            defer { group.cancelAll() }
            switch try await group.next()! {
            case .finished(let value):
                return value
            case .lost(let loss):
                group.cancelAll()
                // Whatever the body ends with, what counts is that ownership was lost.
                while (try? await group.next()) != nil {}
                throw loss
            }
        }
    }
}

/// Runs `body` while ownership through `sessionID` lasts (see `whileOwned`), then gives it back
/// with `release`. When ownership was lost, `release` runs in the background instead (the
/// connection may not be back for a long time, or the session is gone with its nodes already),
/// and the loss is thrown at once.
func holding<T: Sendable>(
    _ client: ZooKeeperClient, sessionID: Int64, release: @Sendable @escaping () async throws -> Void,
    _ body: @Sendable () async throws -> T
) async throws -> T {
    do {
        let result = try await whileOwned(client, sessionID: sessionID, body)
        try await release()
        return result
    } catch let loss as OwnershipLost {
        Task { try? await release() }
        throw loss
    } catch {
        await uncancelled { try? await release() }
        throw error
    }
}

private enum Outcome<T: Sendable>: Sendable {
    case finished(T)
    case lost(OwnershipLost)
}
