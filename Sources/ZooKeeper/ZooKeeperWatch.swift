/// The events of one watch, as an `AsyncSequence`.
///
/// A one-shot watch (from `watchData`, `watchExists`, `watchChildren`) yields one event and ends;
/// a persistent watch (from `addWatch`) yields every event until it is removed. The sequence ends
/// with an error when the session expires or the client closes, since the server then forgets it.
/// Across a reconnect within the session, the client re-registers the watch: nothing is lost.
public struct ZooKeeperWatch: AsyncSequence, Sendable {
    public typealias Element = WatchedEvent
    public typealias AsyncIterator = AsyncThrowingStream<WatchedEvent, Error>.AsyncIterator

    let stream: AsyncThrowingStream<WatchedEvent, Error>
    let remover: @Sendable () async throws -> Void

    public func makeAsyncIterator() -> AsyncIterator { stream.makeAsyncIterator() }

    /// The next event; throws if the watch ended without one (removed, expired, closed).
    public func event() async throws -> WatchedEvent {
        var iterator = stream.makeAsyncIterator()
        guard let event = try await iterator.next() else {
            throw ZooKeeperError(.noWatcher, "the watch was removed")
        }
        return event
    }

    /// Removes the watch: locally, and on the server when no other local watcher needs it.
    public func remove() async throws {
        try await remover()
    }
}
