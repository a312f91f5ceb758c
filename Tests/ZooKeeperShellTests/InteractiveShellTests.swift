import Foundation
import Testing
import ZooKeeperTestSupport

/// The REPL driven through a pseudo-terminal (scripts/pty_session.py), as a person would use it.
@Suite(.timeLimit(.minutes(3))) struct InteractiveShellTests {
    private func screens(_ scenario: String) async throws -> (screens: [String: String], home: URL) {
        try await PseudoTerminal.screens("pty_session.py", scenario)
    }

    @Test func typingCompletionHistoryAndEvents() async throws {
        let (screens, home) = try await screens("tour")
        defer { try? FileManager.default.removeItem(at: home) }
        #expect(screens["start"]?.contains("[zk: embedded CONNECTED] /> ") == true)
        #expect(screens["create"]?.contains("/config\r\n") == true)
        // Tab completed a path that exists only on the server, then the command ran.
        #expect(screens["complete"]?.hasSuffix("tabase-url") == true)
        #expect(screens["completed-get"]?.contains("jdbc") == true)
        #expect(screens["complete-command"]?.hasSuffix("emerals") == true)
        #expect(screens["complete-flag"]?.hasSuffix("on") == true)
        #expect(screens["complete-value"]?.hasSuffix("ECURSIVE") == true)
        #expect(screens["cd"]?.hasSuffix("[zk: embedded CONNECTED] /config> ") == true)
        #expect(screens["relative"]?.contains("jdbc") == true)
        #expect(screens["history-recall"]?.hasSuffix("get database-url") == true)
        #expect(screens["typo"]?.contains("unknown command 'lss'; did you mean 'ls'?") == true)
        #expect(screens["watch-fired"]?.contains("WATCHER:: NodeDataChanged /config") == true)
        #expect(screens["history-search"]?.contains("jdbc") == true)
        #expect(screens["redo"]?.contains("create /config hello") == true)
        #expect(screens["redo"]?.contains("NodeExists") == true)
        #expect(screens["semicolon"]?.contains("/semi\r\na;b\r\n") == true, "\(screens["semicolon"] ?? "")")
        let listed = try #require(screens["history"])
        #expect(listed.contains("\r\n 1  create /config hello\r\n"), "\(listed)")
        #expect(listed.contains("\r\n10  "), "\(listed)")
        let history = try String(contentsOf: home.appendingPathComponent(".zk_history"), encoding: .utf8)
        #expect(history.contains("cd\\040/config"))
    }

    /// Announcements arrive while a line is half typed: they appear above it, the prompt shows the
    /// new state, and the line is drawn again, intact, so finishing it runs the whole command.
    @Test func eventsArriveWithoutCorruptingTheLineBeingTyped() async throws {
        let (screens, home) = try await screens("events")
        defer { try? FileManager.default.removeItem(at: home) }
        #expect(screens["start"]?.hasSuffix("CONNECTED] /> ") == true)
        let event = try #require(screens["watch-event"])
        #expect(event.contains("WATCHER:: NodeDataChanged /app\r\n"))
        #expect(event.hasSuffix("CONNECTED] /> get /ap"), "the half-typed line is drawn again below the event")
        #expect(screens["finished-line"]?.contains("v2\r\n") == true, "the finished line ran as one command")
        let lost = try #require(screens["server-lost"])
        #expect(lost.contains("lost; reconnecting (the session lives on)"))
        #expect(lost.hasSuffix("SUSPENDED] /> ls /"))
        let back = try #require(screens["server-back"])
        #expect(back.contains("session expired"))
        #expect(back.contains(", a new session\r\n"))
        #expect(back.hasSuffix("CONNECTED] /> ls /"))
        #expect(screens["after-return"]?.contains("[zookeeper]") == true)
    }
}
