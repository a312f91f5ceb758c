import Foundation
import Testing
import ZooKeeperTestSupport

/// The interactive shell when things fail (scripts/pty_failures.py): without a server it starts
/// anyway and waits for one; a command waits for a server at most its deadline; Ctrl-C gives
/// the prompt back; Ctrl-D leaves. Each step waits for what it expects, never for a fixed time.
@Suite(.timeLimit(.minutes(5))) struct InteractiveShellFailureTests {
    private func screens(_ scenario: String) async throws -> [String: String] {
        let (screens, home) = try await PseudoTerminal.screens("pty_failures.py", scenario)
        try? FileManager.default.removeItem(at: home)
        return screens
    }

    /// The lines a step printed that start with "zk: " (errors and notices; a notice is drawn
    /// after clearing the line: ESC [ K).
    private func messages(_ screen: String?) -> [Substring] {
        (screen ?? "").split(separator: "\r\n").map { $0.replacing("\r\u{1B}[K", with: "") }
            .filter { $0.hasPrefix("zk: ") }
    }

    @Test func startsConnectingWithoutAServerAndConnectsWhenOneStarts() async throws {
        let screens = try await screens("no-server")
        let start = try #require(screens["start"])
        #expect(start.contains("accepted a session within 1 s; still trying"), "\(start)")
        #expect(start.hasSuffix("CONNECTING] /> "), "\(start)")
        // ls waited for a server (the connect timeout, 1 s), then failed in one line.
        let ls = try #require(screens["ls"])
        #expect(messages(ls).count == 1, "\(ls)")
        #expect(ls.contains("zk: ConnectionLoss: no server of 127.0.0.1:"), "\(ls)")
        #expect(ls.contains("answered within 1 s; still trying"), "\(ls)")
        #expect(ls.hasSuffix("CONNECTING] /> "), "\(ls)")
        let seconds = try #require(Double(screens["ls-seconds"] ?? ""))
        #expect(seconds >= 1 && seconds < 30, "ls took \(seconds) s")
        // The server came up: announced, the prompt says so, and commands work.
        let connected = try #require(screens["connected"])
        #expect(connected.contains("zk: connected to 127.0.0.1:"), "\(connected)")
        #expect(screens["ls-after"]?.contains("[zookeeper]\r\n") == true, "\(screens["ls-after"] ?? "")")
        // The shell's status is that of the last failing command: ls, a connection failure.
        #expect(screens["status"] == "7")
    }

    @Test func commandsFailWithinTheirDeadlineWhileTheServerIsDown() async throws {
        let screens = try await screens("server-stops")
        #expect(screens["start"]?.hasSuffix("CONNECTED] /> ") == true, "\(screens["start"] ?? "")")
        #expect(screens["lost"]?.contains("lost; reconnecting") == true, "\(screens["lost"] ?? "")")
        let ls = try #require(screens["ls"])
        #expect(messages(ls).count == 1, "\(ls)")
        #expect(ls.contains("zk: ConnectionLoss: no server of 127.0.0.1:"), "\(ls)")
        #expect(ls.contains("answered within 2 s"), "\(ls)")
        let seconds = try #require(Double(screens["ls-seconds"] ?? ""))
        #expect(seconds >= 2 && seconds < 30, "ls took \(seconds) s")
        // Still usable, and working again once a server is back.
        #expect(screens["pwd"]?.contains("\r\n/\r\n") == true, "\(screens["pwd"] ?? "")")
        #expect(screens["back"]?.contains(", a new session\r\n") == true, "\(screens["back"] ?? "")")
        #expect(screens["ls-after"]?.contains("[zookeeper]\r\n") == true, "\(screens["ls-after"] ?? "")")
        #expect(screens["status"] == "7")
    }

    @Test func ctrlCGivesThePromptBack() async throws {
        let screens = try await screens("interrupts")
        #expect(screens["start"]?.hasSuffix("CONNECTED] /> ") == true)
        // The half-typed line is dropped: ^C after it, a fresh prompt below, and the next line
        // runs alone.
        let halfLine = try #require(screens["half-line"])
        #expect(halfLine.contains("^C\r\n"), "\(halfLine)")
        #expect(halfLine.hasSuffix("CONNECTED] /> "), "\(halfLine)")
        #expect(screens["after-half-line"]?.contains("\r\n/\r\n") == true, "\(screens["after-half-line"] ?? "")")
        // watch and queue take end quietly, and the shell goes on.
        for step in ["watch", "take"] {
            let screen = try #require(screens[step])
            #expect(screen.hasSuffix("CONNECTED] /> "), "\(step): \(screen)")
            #expect(messages(screen).isEmpty, "\(step): \(screen)")
        }
        #expect(screens["take-after"]?.contains("\r\nitem\r\n") == true, "\(screens["take-after"] ?? "")")
        // The cancelled watch is gone from the server too, not left for the session's life.
        #expect(screens["watch-removed"] == "True")
        // The rest of the line Ctrl-C interrupted did not run.
        let rest = try #require(screens["rest-of-line"])
        #expect(rest.contains("[w, zookeeper]\r\n"), "\(rest)")
        // The command run under the lock had the Ctrl-C; the lock was released.
        #expect(screens["lock"]?.hasSuffix("CONNECTED] /> ") == true, "\(screens["lock"] ?? "")")
        #expect(screens["lock-after"]?.contains("\r\nagain\r\n") == true, "\(screens["lock-after"] ?? "")")
        // Interrupted is the last failure: 130, as for a process that SIGINT ended.
        #expect(screens["status"] == "130")
    }

    @Test func ctrlDOnAnEmptyLineLeavesWithANewline() async throws {
        let screens = try await screens("end-of-input")
        #expect(screens["start"]?.hasSuffix("CONNECTED] /> ") == true)
        #expect(screens["ctrl-d"]?.hasSuffix("\r\n") == true, "\(screens["ctrl-d"] ?? "")")
        #expect(screens["status"] == "0")
    }
}
