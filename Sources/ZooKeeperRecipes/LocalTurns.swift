import Synchronization

/// One turn at a time among the tasks of this process that share a recipe instance, in arrival
/// order: `take()` waits for the turn (cancellable), `give()` hands it to the next waiter.
final class LocalTurns: Sendable {
    private struct State {
        var taken = false
        var nextID: UInt64 = 0
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    }

    private let state = Mutex(State())

    /// Waits for the turn.
    /// - Throws: `CancellationError` when the task is cancelled while it waits.
    func take() async throws {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let granted = state.withLock { state in
                    if Task.isCancelled { return false as Bool? }
                    if !state.taken {
                        state.taken = true
                        return true
                    }
                    state.waiters.append((id, continuation))
                    return nil
                }
                switch granted {
                case true?: continuation.resume()
                case false?: continuation.resume(throwing: CancellationError())
                case nil: break
                }
            }
        } onCancel: {
            let cancelled = state.withLock { state in
                state.waiters.firstIndex { $0.id == id }.map { state.waiters.remove(at: $0).continuation }
            }
            cancelled?.resume(throwing: CancellationError())
        }
    }

    /// Ends the current turn; the next waiter, if any, has it.
    func give() {
        let next = state.withLock { state in
            guard !state.waiters.isEmpty else {
                state.taken = false
                return nil as CheckedContinuation<Void, any Error>?
            }
            return state.waiters.removeFirst().continuation
        }
        next?.resume()
    }
}
