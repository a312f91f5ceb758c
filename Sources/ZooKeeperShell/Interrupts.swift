import Dispatch
import NIOConcurrencyHelpers
import ProcessSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Ctrl-C in the interactive shell, where it must not end zk. A signal handler turns each SIGINT
/// into a byte on a pipe; the line editor, which polls that pipe, drops the line being typed, and
/// while a command runs, ``cancelling(_:)`` cancels the command's task.
final class Interrupts: Sendable {
    /// Readable after a Ctrl-C that nobody has taken yet.
    let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Catches SIGINT from now on, for the rest of the process; nil when no pipe can be had (Ctrl-C
    /// then ends zk, as it does outside the shell). Child processes start with the default
    /// disposition again (``ChildProcess``).
    static func catching() -> Interrupts? {
        var descriptors: [Int32] = [-1, -1]
        guard descriptors.withUnsafeMutableBufferPointer({ pipe($0.baseAddress) }) == 0 else { return nil }
        for descriptor in descriptors { _ = fcntl(descriptor, F_SETFL, O_NONBLOCK) }
        signalPipe = descriptors[1]
        // A full pipe already says that Ctrl-C was pressed: the handler never waits.
        signal(SIGINT) { _ in
            let saved = errno
            var byte: UInt8 = 3
            _ = write(signalPipe, &byte, 1)
            errno = saved
        }
        return Interrupts(descriptor: descriptors[0])
    }

    /// Whether Ctrl-C was pressed since the last call; empties the pipe.
    func take() -> Bool {
        var bytes = [UInt8](repeating: 0, count: 16)
        var taken = false
        while read(descriptor, &bytes, bytes.count) > 0 { taken = true }
        return taken
    }

    /// Runs `body` in a task of its own that Ctrl-C cancels, and returns its result and whether
    /// Ctrl-C was pressed meanwhile. A Ctrl-C that a child process had is left to it: sharing
    /// the terminal, it gets the SIGINT too, and whether it ends is its own choice (an editor
    /// keeps going; a command run under a lock ends, and the lock is then released as usual).
    /// It had it when it was running then, or SIGINT has ended it since the last Ctrl-C.
    func cancelling<T: Sendable>(_ body: @escaping @Sendable () async -> T) async -> (value: T, interrupted: Bool) {
        // A Ctrl-C still in the pipe was for the command before (it ended before the pipe was
        // read): it must not cancel this one.
        _ = take()
        let task = Task { await body() }
        let pressed = NIOLockedValueBox(false)
        let interruptedChildren = NIOLockedValueBox(ChildProcess.census.interrupted)
        let source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: .global())
        source.setEventHandler { [self] in
            guard take() else { return }
            pressed.withLockedValue { $0 = true }
            let census = ChildProcess.census
            let before = interruptedChildren.withLockedValue { before in
                defer { before = census.interrupted }
                return before
            }
            if census.running == 0 && census.interrupted == before { task.cancel() }
        }
        source.resume()
        let value = await task.value
        source.cancel()
        return (value, pressed.withLockedValue { $0 })
    }
}

/// The write end of the pipe that SIGINT's handler writes to. Set once, before the handler is
/// installed; the handler only reads it.
nonisolated(unsafe) private var signalPipe: Int32 = -1
