import Foundation
import Testing
import ZooKeeperTestSupport

/// What `import ZooKeeper` alone gives a program: the client with the records and codes of its
/// API, and none of the protocol module's requests, responses and framing. Checked by compiling
/// small programs against the modules this test run was built with.
@Suite(.timeLimit(.minutes(3))) struct ModuleSurfaceTests {
    /// The protocol's types a client's user meets, all usable with `import ZooKeeper` only.
    @Test func theClientsRecordsComeWithTheClient() async throws {
        let (status, diagnostics) = try await Self.typecheck(
            """
            import ZooKeeper

            func use(_ zk: ZooKeeperClient) async throws {
                let stat: Stat? = try await zk.exists("/a")
                let acl: [ACL] = [.digest(user: "u", password: "p"), ACL(permissions: .all, id: Id(scheme: "world", id: "anyone"))]
                let mode: CreateMode = .persistentSequential
                try await zk.create("/b", data: "x", acl: acl, mode: mode)
                let code: ErrorCode = .noNode
                let event: EventType = .nodeCreated
                let watcher: WatcherType = .children
                let watch: AddWatchMode = .persistentRecursive
                let results: [MultiResult] = try await zk.multi([.check("/a", version: 0)])
                let who: [ClientInfo] = try await zk.whoAmI()
                _ = (stat, code, event, watcher, watch, results, who)
            }
            """)
        #expect(status == 0 && diagnostics == "")
    }

    /// The protocol module's own types stay out of a client user's namespace.
    @Test func theProtocolsRequestsStayInTheProtocolModule() async throws {
        let hidden = [
            "GetDataRequest", "Create2Response", "ConnectRequest", "ReplyHeader", "JuteFrameDecoder", "OpCode",
            "ZooKeeperRequest", "NodePath", "PathValidation", "SHA1", "Base64",
        ]
        let program = (["import ZooKeeper"] + hidden.map { "let _: \($0).Type? = nil" }).joined(separator: "\n")
        let (status, diagnostics) = try await Self.typecheck(program)
        #expect(status != 0)
        for name in hidden {
            #expect(diagnostics.contains("cannot find type '\(name)' in scope"), "\(name) is visible")
        }
    }

    /// The compiler's exit status and errors for `source`, type-checked against the modules of
    /// this build. The compiler runs as a child process that the test awaits (not blocking one of
    /// the cooperative pool's threads, which the other tests' clients need).
    static func typecheck(_ source: String) async throws -> (Int32, String) {
        let build = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("surface-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("main.swift")
        try source.write(to: file, atomically: true, encoding: .utf8)
        // The C modules the Swift modules import: SwiftPM's own and the packages' checkouts.
        var moduleMaps: [String] = []
        for root in [build, build.appendingPathComponent("../../checkouts").standardized] {
            let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
            while let url = walker?.nextObject() as? URL {
                guard url.lastPathComponent == "module.modulemap" else { continue }
                let parts = url.pathComponents
                // SwiftPM's C targets (NAME.build/module.modulemap), and the checkouts' sources.
                if root == build ? parts.count == build.pathComponents.count + 2 : parts.contains("Sources") {
                    moduleMaps.append(url.path)
                }
            }
        }
        let result = try await ChildProcess.run(
            "/usr/bin/env",
            ["swiftc", "-typecheck", "-I", build.appendingPathComponent("Modules").path, file.path]
                + moduleMaps.flatMap { ["-Xcc", "-fmodule-map-file=\($0)"] },
            timeout: .seconds(170))
        let text = result.text + "\n" + result.errorText
        return (
            result.status,
            text.split(separator: "\n").filter { $0.contains("error:") }.joined(separator: "\n")
        )
    }
}
