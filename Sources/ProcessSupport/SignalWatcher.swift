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

    package static func stopping(on signals: [Int32], _ handler: @escaping @Sendable () -> Void) -> Handle {
        var restore: [() -> Void] = []
        let sources = signals.map { number in
            let previous = signal(number, SIG_IGN)
            restore.append { _ = signal(number, previous) }
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
        return Handle(sources: sources, restore: restore)
    }
}
