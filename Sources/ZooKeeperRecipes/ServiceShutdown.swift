import ServiceLifecycle
import Synchronization
import ZooKeeper

/// Runs a recipe service's `body` (which ends at graceful shutdown by itself) so that the
/// shutdown cannot hang on a server that is down or a connection that is frozen: once graceful
/// shutdown comes, `body` has `grace` to end and give back what it holds; after that, and at
/// once on cancellation, `client` is closed, which fails every request still waiting for a server
/// and lets `body` return. The nodes `body` could not delete go with the session.
///
/// A closed client ends the service quietly, at its shutdown: `clientClosed` is not thrown,
/// whoever closed it (this service, another of its group shutting down before it, or the
/// application), and the service waits for its own graceful shutdown (or cancellation) before it
/// returns, since a group takes a service that returns earlier for a failure.
func boundedAtShutdown(
    client: ZooKeeperClient, grace: Duration, _ body: @Sendable @escaping () async throws -> Void
) async throws {
    let race = ShutdownRace()
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            defer { race.bodyEnded.store(true, ordering: .sequentiallyConsistent) }
            do {
                try await body()
            } catch let error as ZooKeeperError where error.code == .clientClosed {
                try? await gracefulShutdown()
            }
        }
        group.addTask {
            do {
                try await gracefulShutdown()
                try? await Task.sleep(for: grace)
            } catch {
                // Cancelled: from outside (close at once), or because `body` ended (nothing to do).
            }
            guard !race.bodyEnded.load(ordering: .sequentiallyConsistent) else { return }
            await uncancelled { _ = try? await client.close() }
        }
        defer { group.cancelAll() }
        try await group.next()
    }
}

/// Whether the body of `boundedAtShutdown` has ended, for its guard.
private final class ShutdownRace: Sendable {
    /// The service's body has returned or thrown.
    let bodyEnded = Atomic(false)
}
