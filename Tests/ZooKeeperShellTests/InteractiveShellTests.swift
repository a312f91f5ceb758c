import Foundation
import Testing
import ZooKeeperTestSupport

/// The REPL driven through a pseudo-terminal (scripts/pty_session.py), as a person would use it.
@Suite(.timeLimit(.minutes(3))) struct InteractiveShellTests {
    @Test func typingCompletionHistoryAndEvents() async throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("zk-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let output = try await ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", repository.appendingPathComponent("scripts/pty_session.py").path, ServeCommandTests.zk.path,
                home.path,
            ]
        ).text
        let screens = try #require(
            try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: String], "\(output)")
        #expect(screens["start"]?.contains("[zk: embedded CONNECTED] /> ") == true)
        #expect(screens["create"]?.contains("/config\r\n") == true)
        // Tab completed a path that exists only on the server, then the command ran.
        #expect(screens["complete"]?.hasSuffix("tabase-url") == true)
        #expect(screens["completed-get"]?.contains("jdbc") == true)
        #expect(screens["complete-command"]?.hasSuffix("emerals") == true)
        #expect(screens["cd"]?.hasSuffix("[zk: embedded CONNECTED] /config> ") == true)
        #expect(screens["relative"]?.contains("jdbc") == true)
        #expect(screens["history-recall"]?.hasSuffix("get database-url") == true)
        #expect(screens["typo"]?.contains("unknown command 'lss'; did you mean 'ls'?") == true)
        #expect(screens["watch-fired"]?.contains("WATCHER:: NodeDataChanged /config") == true)
        #expect(screens["history-search"]?.contains("jdbc") == true)
        #expect(screens["redo"]?.contains("create /config hello") == true)
        #expect(screens["redo"]?.contains("NodeExists") == true)
        let history = try String(contentsOf: home.appendingPathComponent(".zk_history"), encoding: .utf8)
        #expect(history.contains("cd\\040/config"))
    }
}
