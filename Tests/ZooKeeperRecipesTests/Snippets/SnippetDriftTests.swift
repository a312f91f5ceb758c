import Foundation
import Testing

/// Keeps the documentation's Swift snippets and the tests that run them together.
///
/// Every ```` ```swift ```` block of README.md, of the DocC articles (`Sources/*/*.docc/*.md`)
/// and of the documentation comments in `Sources` is run by a test in this folder, against the
/// embedded server (`ReadmeSnippetTests`, `ArticleSnippetTests`, `FailureHandlingSnippetTests`,
/// `DocCommentSnippetTests`), and
/// this suite fails when one of them is not there any more, word for word:
///
/// - A block is checked in parts, split at blank lines, so that a test may run each paragraph of
///   a block on its own (a paragraph that loops forever, one that waits for another process).
/// - A line that is only `...` or `// ...` stands for the reader's own code: the parts around it
///   are checked apart, and the test puts code of its own there.
/// - `import` lines are left out (the test file imports what the snippets need at its top), and
///   so are parts that are only comments.
/// - Whitespace does not count (the test files are formatted by `swift format`, which may break
///   or indent lines differently).
/// - A block that is not meant to run (lines of a `Package.swift`) has the line
///   `<!-- snippet: skip -->` before it.
///
/// So a snippet edited in the documentation fails here until its test is edited the same way;
/// the test then shows whether the new text still compiles and works.
///
/// What a snippet assumes is provided by its test: a connected `zk`, nodes it reads, functions
/// such as `deductStock()` (methods of the suite that record their calls), and `print`, a method
/// of the suite that records what the snippet prints. Snippets that connect to made-up hosts
/// reach the embedded server through `SnippetClient`.
@Suite struct SnippetDriftTests {
    static let thisFile = URL(fileURLWithPath: #filePath)
    /// Tests/ZooKeeperRecipesTests/Snippets, where the snippet tests are.
    static let snippetTests = thisFile.deletingLastPathComponent()
    static let repository = snippetTests.deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func everySnippetOfTheDocumentationIsRunByATest() throws {
        // Not this file: its examples are not the documentation's snippets.
        let tests = try Self.allFiles(in: Self.snippetTests)
            .filter { $0.hasSuffix(".swift") && $0 != Self.thisFile.lastPathComponent }
            .map {
                Snippets.normalized(
                    try String(contentsOf: Self.snippetTests.appendingPathComponent($0), encoding: .utf8))
            }
            .joined(separator: "\n")
        let documents = try Self.documents()
        var checked: [String: Int] = [:]
        for document in documents {
            let extraction = Snippets.extract(from: document.lines, firstLine: document.firstLine)
            for problem in extraction.problems {
                Issue.record("\(document.file):\(problem)")
            }
            for part in extraction.parts {
                checked[document.file, default: 0] += 1
                if !tests.contains(Snippets.normalized(part.text)) {
                    Issue.record(
                        """
                        \(document.file):\(part.line): this snippet is run by no test in \
                        Tests/ZooKeeperRecipesTests/Snippets; add it to one, or edit the test it \
                        was in the same way:
                        \(part.text)
                        """)
                }
            }
        }
        // The extraction found the snippets where there are some (a broken parser would find none).
        for file in ["README.md", "Sources/ZooKeeper/ZooKeeper.docc/GettingStarted.md"] {
            #expect(checked[file, default: 0] >= 5, "\(file): \(checked[file, default: 0]) snippet parts found")
        }
        #expect(checked["Sources/ZooKeeperRecipes/DistributedLock.swift"] == 1)
    }

    @Test func blocksAreSplitIntoPartsAndMarkedBlocksAreSkipped() {
        let markdown = """
            Text.

            <!-- snippet: skip -->
            ```swift
            .package(url: "https://example.com/x.git", branch: "main"),
            ```

            ```swift
            import ZooKeeper

            // Step one.
            let a = 1

            // Only a comment,
            // about what follows.

            try await ZooKeeperServer.withServer { server in
                let zk = try await ZooKeeperClient.connect(server.connectString)
                // ...
            }
            ```

            ```sh
            zk ls /
            ```
            """
        let extraction = Snippets.extract(from: markdown.components(separatedBy: "\n"), firstLine: 1)
        #expect(extraction.problems.isEmpty)
        #expect(extraction.parts.map(\.line) == [11, 17, 20])
        #expect(
            extraction.parts.map(\.text) == [
                "// Step one.\nlet a = 1",
                "try await ZooKeeperServer.withServer { server in\n"
                    + "    let zk = try await ZooKeeperClient.connect(server.connectString)",
                "}",
            ])
        #expect(Snippets.normalized("let  a =\n    1 // x") == "leta=1//x")
    }

    @Test func aSkipMarkerMustPrecedeASwiftBlockAndBlocksMustBeClosed() {
        let stray = ["<!-- snippet: skip -->", "", "Text.", "```swift", "let a = 1", "```", "```swift", "let b = 2"]
        let extraction = Snippets.extract(from: stray, firstLine: 1)
        #expect(
            extraction.problems == [
                "1: a skip marker must come right before a ```swift block",
                "7: this ``` block is not closed",
            ])
        #expect(extraction.parts.map(\.text) == ["let a = 1"])
    }

    @Test func documentationCommentsAreReadAsMarkdown() {
        let source = """
            /// A lock.
            ///
            /// ```swift
            /// let lock = DistributedLock(client: zk, path: "/locks/a")
            /// try await lock.withLock {
            ///     // only one process runs this at a time
            /// }
            /// ```
            public final class DistributedLock {}
            """
        let comments = Snippets.documentationComments(in: source)
        #expect(comments.count == 1)
        let extraction = Snippets.extract(from: comments[0].lines, firstLine: comments[0].firstLine)
        #expect(extraction.parts.map(\.line) == [4])
        #expect(
            extraction.parts.map(\.text) == [
                "let lock = DistributedLock(client: zk, path: \"/locks/a\")\ntry await lock.withLock {\n"
                    + "    // only one process runs this at a time\n}"
            ])
    }

    /// A Markdown text to check: a file, or one documentation comment of a Swift file.
    struct Document {
        var file: String
        var lines: [String]
        var firstLine: Int
    }

    static func documents() throws -> [Document] {
        var documents: [Document] = []
        func text(_ path: String) throws -> String {
            try String(contentsOf: repository.appendingPathComponent(path), encoding: .utf8)
        }
        documents.append(
            Document(file: "README.md", lines: try text("README.md").components(separatedBy: "\n"), firstLine: 1))
        let sources = repository.appendingPathComponent("Sources")
        for file in try allFiles(in: sources) {
            let path = "Sources/" + file
            if file.hasSuffix(".md") && file.contains(".docc/") {
                documents.append(
                    Document(file: path, lines: try text(path).components(separatedBy: "\n"), firstLine: 1))
            } else if file.hasSuffix(".swift") {
                for comment in Snippets.documentationComments(in: try text(path)) {
                    documents.append(Document(file: path, lines: comment.lines, firstLine: comment.firstLine))
                }
            }
        }
        return documents
    }

    /// Every file below `directory`, relative to it, in order.
    static func allFiles(in directory: URL) throws -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: directory.path)
        var files: [String] = []
        while let file = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(
                atPath: directory.appendingPathComponent(file).path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                files.append(file)
            }
        }
        return files.sorted()
    }
}

/// Finds the Swift snippets of Markdown text (see `SnippetDriftTests`).
enum Snippets {
    static let skipMarker = "<!-- snippet: skip -->"

    /// A paragraph of a snippet, and the line it starts on.
    struct Part: Equatable {
        var line: Int
        var text: String
    }

    /// The parts of the ```swift blocks of `lines` (numbered from `firstLine`), and what is wrong
    /// with the markup.
    static func extract(from lines: [String], firstLine: Int) -> (parts: [Part], problems: [String]) {
        var parts: [Part] = []
        var problems: [String] = []
        var index = 0
        var skipping: Int?  // the line of a skip marker that waits for its block
        while index < lines.count {
            let line = lines[index].trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("```") else {
                if line == skipMarker {
                    skipping = firstLine + index
                } else if !line.isEmpty, let marker = skipping {
                    problems.append("\(marker): a skip marker must come right before a ```swift block")
                    skipping = nil
                }
                index += 1
                continue
            }
            let language = line.dropFirst(3).trimmingCharacters(in: .whitespaces)
            let opening = index
            index += 1
            while index < lines.count && lines[index].trimmingCharacters(in: .whitespaces) != "```" {
                index += 1
            }
            guard index < lines.count else {
                problems.append("\(firstLine + opening): this ``` block is not closed")
                break
            }
            let body = Array(lines[(opening + 1)..<index])
            index += 1
            if language == "swift" && skipping == nil {
                parts += split(body, firstLine: firstLine + opening + 1)
            } else if let marker = skipping, language != "swift" {
                problems.append("\(marker): a skip marker must come right before a ```swift block")
            }
            skipping = nil
        }
        if let marker = skipping {
            problems.append("\(marker): a skip marker must come right before a ```swift block")
        }
        return (parts, problems)
    }

    /// A block's parts: split at blank lines and elisions, without imports and comment-only parts.
    static func split(_ block: [String], firstLine: Int) -> [Part] {
        var parts: [Part] = []
        var current: [String] = []
        var start = firstLine
        func close() {
            let isCode = current.contains { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }
            if isCode { parts.append(Part(line: start, text: current.joined(separator: "\n"))) }
            current = []
        }
        for (offset, line) in block.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed == "..." || trimmed == "// ..." {
                close()
            } else if !trimmed.hasPrefix("import ") {
                if current.isEmpty { start = firstLine + offset }
                current.append(line)
            }
        }
        close()
        return parts
    }

    /// `text` without whitespace, the form in which snippets and tests are compared.
    static func normalized(_ text: String) -> String {
        String(text.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) }.map(Character.init))
    }

    /// The documentation comments (runs of `///` lines) of Swift source, as Markdown lines
    /// without the `///` and the space after it, each with the number of its first line.
    static func documentationComments(in source: String) -> [(lines: [String], firstLine: Int)] {
        var comments: [(lines: [String], firstLine: Int)] = []
        var current: [String] = []
        var start = 0
        for (offset, line) in source.components(separatedBy: "\n").enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("///") {
                if current.isEmpty { start = offset + 1 }
                let text = trimmed.dropFirst(3)
                current.append(String(text.hasPrefix(" ") ? text.dropFirst() : text))
            } else if !current.isEmpty {
                comments.append((current, start))
                current = []
            }
        }
        if !current.isEmpty { comments.append((current, start)) }
        return comments
    }
}
