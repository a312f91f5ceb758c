import Foundation
import Testing
import ZooKeeperServer
import ZooKeeperTestSupport

/// Real third-party clients (kazoo, the Java zkCli.sh, the C cli_mt) run the same script against
/// Apache ZooKeeper and against our server; their outputs, less times and session ids, must match.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ThirdPartyClientTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `arguments` (through env) with `input` on stdin; returns stdout and stderr together.
    static func run(_ arguments: [String], input: String = "") async throws -> String {
        let result = try await ChildProcess.run(
            "/usr/bin/env", arguments, input: Array(input.utf8), timeout: .seconds(60))
        return result.text + result.errorText
    }

    /// Runs the same client script against a fresh Apache ZooKeeper and a fresh embedded server;
    /// with `sasl`, both take SASL DIGEST-MD5 logins of ``ApacheZooKeeper/saslUsers``.
    static func expectSameOutput(
        sasl: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation,
        normalize: @escaping (String) -> [String],
        _ client: @escaping (_ address: String) async throws -> String
    ) async throws {
        let apache =
            sasl
            ? try await ApacheZooKeeper.withSASL(tickTime: 2000) { try await client($0.connectString) }
            : try await ApacheZooKeeper.with(tickTime: 2000) { try await client($0.connectString) }
        var configuration = ZooKeeperServer.Configuration(port: 0)
        configuration.fourLetterWordWhitelist = ["*"]
        configuration.saslUsers = sasl ? ApacheZooKeeper.saslUsers : nil
        let ours = try await ZooKeeperServer.withServer(configuration: configuration) {
            try await client($0.connectString)
        }
        let expected = normalize(apache)
        #expect(expected.count > 5, "the client did almost nothing:\n\(apache)", sourceLocation: sourceLocation)
        expectSameLines(expected, normalize(ours), what: "line", sourceLocation: sourceLocation)
    }

    /// kazoo prints stats with their times: those are replaced.
    static func kazooLines(_ output: String) -> [String] {
        output.split(separator: "\n").map { line in
            String(line).replacing(/ctime=\d+, mtime=\d+/, with: "ctime=T, mtime=T")
        }
    }

    @Test func javaZkCli() async throws {
        let commands = """
            create /zc hello
            get -w /zc
            ls -w /zc
            set /zc world
            create /zc/child c
            get -s /zc
            create -s /zc/seq- a
            create -e /zc/eph b
            ls -s /zc
            stat /zc/nope
            create /zc/nope/x
            addauth digest u:p
            create /zc/acl data auth:u:p:cdrwa
            getAcl /zc/acl
            setAcl /zc/acl world:anyone:r
            getAcl /zc/acl
            set /zc/acl denied
            getAllChildrenNumber /zc
            getEphemerals /zc
            delete /zc
            deleteall /zc
            ls /
            quit

            """
        try await Self.expectSameOutput(normalize: Self.zkCliLines) { address in
            let output = try await Self.run(["/usr/share/zookeeper/bin/zkCli.sh", "-server", address], input: commands)
            // Both watches fired, on either server.
            #expect(output.contains("type:NodeDataChanged path:/zc"))
            #expect(output.contains("type:NodeChildrenChanged path:/zc"))
            return output
        }
    }

    /// zkCli's quota commands write the limits; the server keeps the usage in the stats node,
    /// updated as the subtree changes (no new version or zxid), as Apache ZooKeeper does.
    @Test func javaZkCliQuotas() async throws {
        let commands = """
            create /app x
            create /app/a 12345
            setquota -n 5 /app
            setquota -b 100 /app
            listquota /app
            get -s /zookeeper/quota/app/zookeeper_stats
            create /app/b 1234567890
            set /app/a 1
            create /app/a/deep 123
            delete /app/b
            listquota /app
            setquota -N 3 /app
            create /app/c over
            create /app/d limit
            listquota /app
            setquota -n 2 /app/a
            setquota -n 2 /
            delquota -n /app
            listquota /app
            delquota /app
            listquota /app
            ls /zookeeper/quota
            create /q x
            setquota -n 3 /q
            delquota /q
            get -s /zookeeper/quota
            quit

            """
        try await Self.expectSameOutput(normalize: Self.zkCliLines) { address in
            try await Self.run(["/usr/share/zookeeper/bin/zkCli.sh", "-server", address], input: commands)
        }
    }

    /// Command output in order, then the watch notifications (printed by another thread, so
    /// compared as a sorted set); connection-state events and times are left out.
    static func zkCliLines(_ output: String) -> [String] {
        let lines = output.split(separator: "\n").map(String.init)
        let events = lines.filter { $0.hasPrefix("WatchedEvent") && !$0.contains("type:None") }.sorted()
        let commands = lines.filter { line in
            !line.isEmpty && !line.contains("SLF4J") && !line.contains("log4j") && !line.hasPrefix("WATCHER")
                && !line.hasPrefix("WatchedEvent") && !line.hasPrefix("Connecting") && !line.hasPrefix("Welcome")
                && !line.hasPrefix("JLine") && !line.hasPrefix("ctime") && !line.hasPrefix("mtime")
                && !line.hasPrefix("ephemeralOwner")
        }
        return commands + ["watch events:"] + events
    }

    @Test func cClientCliMt() async throws {
        let steps = [
            "create /cm", "create +e /cm/eph", "set /cm world", "get /cm", "ls /cm", "create +s /cm/seq-",
            "exists /cm", "wexists /cm/nope", "create /cm/nope", "sync /cm", "delete /cm/nope", "delete /cm",
            "get /missing", "quit",
        ]
        let script = "sleep 1; " + steps.map { "echo '\($0)'; sleep 0.3" }.joined(separator: "; ")
        try await Self.expectSameOutput(normalize: Self.cliMtLines) { address in
            try await Self.run(["sh", "-c", "(\(script)) | /usr/lib/zookeeper/bin/cli_mt \(address)"])
        }
    }

    /// cli_mt prints from two threads: the one reading commands ("Creating …", a synchronous
    /// call's "Error …", "Quitting…") and the one running completions and watchers. Each keeps
    /// its order, but how they interleave depends on how fast replies come: they are compared
    /// one after the other.
    static func cliMtLines(_ output: String) -> [String] {
        let lines = output.split(separator: "\n").map(String.init).filter { line in
            !line.isEmpty && !line.contains("ZOO_INFO") && !line.contains("ZOO_DEBUG") && !line.hasPrefix("time =")
                && !line.contains("mtime") && !line.contains("ctime") && !line.contains("session id")
                && !line.contains("ephemeralOwner")
        }
        let isTyped = { (line: String) in ["Creating [", "Error ", "Quitting"].contains { line.hasPrefix($0) } }
        return lines.filter(isTyped) + ["(completions and watch events:)"] + lines.filter { !isTyped($0) }
    }
}
