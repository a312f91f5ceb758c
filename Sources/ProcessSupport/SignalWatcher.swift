import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns termination signals into a callback instead of the default exit, until cancelled.
package enum SignalWatcher {
    package final class Handle {
        private let sources: [any DispatchSourceSignal]
        private let restore: [() -> Void]
        init(sources: [any DispatchSourceSignal], restore: [() -> Void]) {
            self.sources = sources
            self.restore = restore
        }
        /// Stops watching and gives the signals back the handling they had before (in the
        /// shell, Ctrl-C interrupts commands again once `serve` ends).
        package func cancel() {
            sources.forEach { $0.cancel() }
            restore.forEach { $0() }
        }
    }

    /// Calls `handler` on each of `signals` from now on: once this returns, the signals are
    /// watched (a signal that comes before has its usual effect).
    ///
    /// Each signal keeps its handling until its source is registered. Set aside first (SIG_IGN),
    /// a signal sent before libdispatch registered the source, which it does asynchronously, was
    /// lost: `zk serve` sent SIGTERM as it started to serve served on. On Linux, registering
    /// installs libdispatch's own handler (it passes the signal to a signalfd), which must not be
    /// replaced; elsewhere the signal is then set aside, as kqueue reports it all the same.
    package static func stopping(on signals: [Int32], _ handler: @escaping @Sendable () -> Void) -> Handle {
        var restore: [() -> Void] = []
        let sources = signals.map { number in
            var previous = sigaction()
            sigaction(number, nil, &previous)
            restore.append {
                var previous = previous
                sigaction(number, &previous, nil)
            }
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            let registered = DispatchSemaphore(value: 0)
            source.setRegistrationHandler { registered.signal() }
            // A source libdispatch could not register (no descriptor left for its signalfd) is
            // cancelled instead; the signal then keeps its usual effect. The bounded wait is a
            // last resort: starting must not hang on it.
            source.setCancelHandler { registered.signal() }
            source.resume()
            _ = registered.wait(timeout: .now() + .seconds(10))
            #if !os(Linux)
                signal(number, SIG_IGN)
            #endif
            return source
        }
        return Handle(sources: sources, restore: restore)
    }
}
