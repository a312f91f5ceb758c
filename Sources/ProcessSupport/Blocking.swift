import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Crossing between blocking code and tasks.
package enum Blocking {
    /// Runs blocking work (a read from the terminal, stdin or a pipe) on a thread of its own. Not
    /// on a dispatch queue: on Linux, Swift concurrency's tasks run on the same few dispatch
    /// threads (one per core), and a thread waiting there for input starves them, the requests
    /// that Tab completion makes to the server among them.
    package static func onOwnThread(_ body: @escaping @Sendable () -> Void) {
        let work = Unmanaged.passRetained(Work(body)).toOpaque()
        #if canImport(Glibc)
            var thread = pthread_t()
        #else
            var thread: pthread_t?
        #endif
        let result = pthread_create(
            &thread, nil,
            { pointer in
                guard let pointer else { return nil }
                Unmanaged<Work>.fromOpaque(pointer).takeRetainedValue().body()
                return nil
            }, work)
        guard result == 0 else {
            // No thread to be had: the work runs here, blocking its caller rather than being lost.
            return Unmanaged<Work>.fromOpaque(work).takeRetainedValue().body()
        }
        pthread_detach(thread)
    }

    private final class Work: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Runs `body` as a task and waits for its result, at most `timeout`; `fallback` when it does
    /// not come in time. For synchronous callers (libedit's and argument-parser's completion
    /// callbacks) that must not hang.
    package static func wait<T: Sendable>(
        atMost timeout: DispatchTimeInterval, or fallback: T, _ body: @escaping @Sendable () async -> T
    ) -> T {
        let result = Result<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            result.value = await body()
            done.signal()
        }
        return done.wait(timeout: .now() + timeout) == .success ? result.value ?? fallback : fallback
    }

    /// Written by the task before it signals, read only after the wait succeeded.
    private final class Result<T>: @unchecked Sendable {
        var value: T?
    }
}
