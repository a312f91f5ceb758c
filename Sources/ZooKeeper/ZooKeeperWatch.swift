/// The events of one watch, as an `AsyncSequence`.
///
/// A one-shot watch (from `watchData`, `watchExists`, `watchChildren`) yields one event and ends;
/// a persistent watch (from `addWatch`) yields every event until it is removed. The sequence ends
/// with an error when the session expires or the client closes, since the server then forgets it.
/// Across a reconnect within the session, the client re-registers the watch: nothing is lost.
///
/// Cancelling the task that waits for an event (in `event()` or a `for try await` loop) throws
/// `CancellationError` and removes the watch, on the server too when no other watch of this
/// client needs it. A watch that nobody waits on stays (its events still reach `events()`):
/// `remove()` it when done.
public struct ZooKeeperWatch: AsyncSequence, Sendable {
    public typealias Element = WatchedEvent

    let stream: AsyncThrowingStream<WatchedEvent, Error>
    let remover: @Sendable () async throws -> Void

    /// Iterates over a watch's events; throws `CancellationError` when the waiting task is cancelled.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<WatchedEvent, Error>.AsyncIterator
        let remover: @Sendable () async throws -> Void

        public mutating func next() async throws -> WatchedEvent? {
            if let event = try await base.next() { return event }
            // The stream ends quietly when the waiting task is cancelled: nobody is left to see
            // the watch's events.
            if Task.isCancelled {
                Task { [remover] in try? await remover() }
                throw CancellationError()
            }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: stream.makeAsyncIterator(), remover: remover)
    }

    /// The next event; throws if the watch ended without one (removed, expired, closed), and
    /// `CancellationError` when the task is cancelled (the watch is removed then).
    public func event() async throws -> WatchedEvent {
        var iterator = makeAsyncIterator()
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
