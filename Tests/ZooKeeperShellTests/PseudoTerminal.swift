import Foundation
import Testing
import ZooKeeperTestSupport

/// The shell driven through a pseudo-terminal by a script of scripts/ (pty_session.py,
/// pty_failures.py), as a person would use it.
enum PseudoTerminal {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Runs `scenario` of `script`; returns what the screen showed after each step, and the home
    /// directory it used (removed by the caller).
    static func screens(_ script: String, _ scenario: String) async throws -> (screens: [String: String], home: URL) {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("zk-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let result = try await ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", repository.appendingPathComponent("scripts/\(script)").path, ServeCommandTests.zk.path,
                home.path, scenario,
            ]
        )
        let screens = try #require(
            try? JSONSerialization.jsonObject(with: Data(result.text.utf8)) as? [String: String],
            "\(script) \(scenario) printed: \(result.text)\nand on stderr: \(result.errorText)")
        return (screens, home)
    }
}
