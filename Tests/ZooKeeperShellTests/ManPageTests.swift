import Foundation
import Testing
import ZooKeeperTestSupport

/// man/zk.1: in step with the commands (regenerated from man/zk.1.in and the argument
/// definitions, it comes out identical), covering every command of `zk help`, and lint-clean.
@Suite(.timeLimit(.minutes(2))) struct ManPageTests {
    static let page = CompletionTests.repository.appendingPathComponent("man/zk.1")

    @Test func pageMatchesTheCommandDefinitions() async throws {
        let fresh = FileManager.default.temporaryDirectory.appendingPathComponent("zk-\(UUID()).1")
        defer { try? FileManager.default.removeItem(at: fresh) }
        let made = try await ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", CompletionTests.repository.appendingPathComponent("scripts/make_man.py").path,
                ServeCommandTests.zk.path, CompletionTests.repository.appendingPathComponent("man/zk.1.in").path,
                fresh.path,
            ])
        #expect(made.status == 0, "\(made.errorText)")
        #expect(try Data(contentsOf: fresh) == Data(contentsOf: Self.page), "man/zk.1 is out of date: run `make man`")
    }

    @Test func everyCommandOfHelpHasASection() async throws {
        let page = try String(contentsOf: Self.page, encoding: .utf8)
        let sections = Set(page.split(separator: "\n").filter { $0.hasPrefix(".SS ") }.map { $0.dropFirst(4) })
        let help = try await ChildProcess.run(ServeCommandTests.zk.path, ["help"]).text
        let commands = help.split(separator: "\n").drop { !$0.hasPrefix("SUBCOMMANDS:") }.dropFirst()
            .filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") && !$0.hasPrefix("  See ") }
            .compactMap { $0.split(separator: " ").first?.trimmingCharacters(in: [","]) }
        #expect(commands.count > 40, "\(help)")
        for command in commands {
            #expect(
                sections.contains(command[...]), "no section for \(command)")
        }
        for section in [
            "NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "ENVIRONMENT", "FILES", "EXIT STATUS", "EXAMPLES",
            "SEE ALSO",
        ] {
            #expect(page.contains("\n.SH \(section)\n"), "no \(section) section")
        }
        // Every exit status the code defines is in the table.
        for status in [0, 1, 2, 3, 4, 5, 6, 7, 64] { #expect(page.contains("\n\(status)\t"), "exit status \(status)") }
    }

    @Test func lintsClean() async throws {
        let lint = try await ChildProcess.run("/usr/bin/env", ["mandoc", "-T", "lint", Self.page.path])
        #expect(lint.status == 0 && lint.text.isEmpty && lint.errorText.isEmpty, "\(lint.text)\(lint.errorText)")
        let groff = try await ChildProcess.run("/usr/bin/env", ["groff", "-man", "-ww", "-z", Self.page.path])
        #expect(groff.status == 0 && groff.errorText.isEmpty, "\(groff.errorText)")
    }
}
