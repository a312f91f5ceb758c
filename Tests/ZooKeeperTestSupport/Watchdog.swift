import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Starts a server process for a test under a watchdog shell: the shell kills it (SIGKILL, after a
/// SIGCONT in case a test paused it) when the watchdog is terminated, and when the test process
/// (its parent's parent) goes away, in which case it also removes `leftovers`.
enum Watchdog {
    /// - Parameters:
    ///   - command: the server's command line, already quoted for sh, with its redirections.
    ///   - leftovers: the directory to remove if the test process dies first.
    ///   - pidFile: where to write the server's process id (for tests that signal it).
    static func launch(_ command: String, leftovers: String, pidFile: String? = nil) throws -> Process {
        let script = """
            \(command) &
            server=$!
            \(pidFile.map { "echo $server > '\($0)'" } ?? "")
            trap 'kill -CONT $server 2>/dev/null; kill -9 $server 2>/dev/null; exit 0' TERM INT
            alive() { [ -r /proc/$1/stat ] && [ "$(sed 's/.*) //' /proc/$1/stat | cut -c1)" != Z ]; }
            while alive \(getpid()) && kill -0 $server 2>/dev/null; do sleep 0.5; done
            kill -9 $server 2>/dev/null
            alive \(getpid()) || rm -rf '\(leftovers)'
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        // Not on the test's pipes: `swift test` waits for them to close.
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}
