import Foundation
import Testing
import ZooKeeper
import ZooKeeperServer
import ZooKeeperTestSupport

/// `zk` commands run as a process against an embedded server: output, exit codes, pipelines.
@Suite(.timeLimit(.minutes(3))) struct ShellCommandTests {
    typealias Result = ChildProcess.Result

    /// Runs `zk` with `arguments`, stdin from `input`, in `environment(_:patient:)`.
    static func zk(
        _ arguments: [String], input: [UInt8] = [], environment: [String: String] = [:], patient: Bool = true
    ) async throws -> Result {
        try await ChildProcess.run(
            ServeCommandTests.zk.path, arguments, input: input,
            environment: Self.environment(environment, patient: patient))
    }

    /// The environment for `zk` processes (and scripts that run them): this process's, without
    /// the caller's ZK_SERVER, then `extra`.
    ///
    /// `patient` (the default) makes zk wait up to 60 s for a session and for each reply: zk's
    /// own default (5 s) is the product's, for people; a test process serving while both cores
    /// are busy may take longer, and only a real hang should fail a test. Tests of that default
    /// itself, or of a server that is down or frozen, pass `patient: false`.
    static func environment(_ extra: [String: String] = [:], patient: Bool = true) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["ZK_SERVER"] = nil
        environment["ZOOKEEPER_CONNECT"] = nil
        environment["ZK_CONNECT_TIMEOUT"] = patient ? "60" : nil
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    /// Runs `body` with a server and `zk` pointed at it through -s.
    static func withServer(
        _ body: (_ zk: ([String], [UInt8]) async throws -> Result, _ address: String) async throws -> Void
    ) async throws {
        var configuration = ZooKeeperServer.Configuration(port: 0)
        configuration.fourLetterWordWhitelist = ["*"]
        try await ZooKeeperServer.withServer(configuration: configuration) { server in
            try await body(
                { arguments, input in
                    try await Self.zk(["-s", server.connectString] + arguments, input: input)
                },
                server.connectString)
        }
    }

    /// Waits until the server lists a watch on `path` (4lw wchp), so that a change made next is
    /// seen by the process that set it, however slowly that process started. wchp lists data,
    /// exists and persistent watches, not children watches (as Apache's): for those, read the
    /// embedded server's `watches()`.
    static func awaitWatch(on path: String, _ zk: ([String], [UInt8]) async throws -> Result) async throws {
        for _ in 0..<100 {
            let watches = try await zk(["4lw", "wchp"], []).text
            if watches.split(separator: "\n").contains(Substring(path)) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("no watch on \(path) appeared")
    }

    /// addWatch keeps announcing a subtree's changes in a script until removewatches; `-c`
    /// after the command name is removewatches' own flag (child watches), not zk's --command.
    @Test func addWatchAndRemoveWatches() async throws {
        try await Self.withServer { (zk, address) async throws in
            let script = """
                create /w x
                addWatch /w
                set /w y
                create /w/child z
                removewatches -c /w
                removewatches /w
                set /w after
                removewatches /w
                addWatch -m persistent /w
                create /w/second z
                """
            let result = try await zk([], Array(script.utf8))
            #expect(
                result.errorText.split(separator: "\n") == [
                    // `-c` takes the children half of the recursive watch, the next its data half
                    // (as Apache ZooKeeper 3.8 does): only the last one finds nothing.
                    "WATCHER:: NodeDataChanged /w", "WATCHER:: NodeCreated /w/child",
                    "zk: NoWatcher: no such watcher: /w",
                    "WATCHER:: NodeChildrenChanged /w",
                ], "\(result.errorText)")
            #expect(try await zk(["addWatch", "-m", "sometimes", "/w"], []).status == 64)
            // Run once, addWatch streams like watch.
            async let streamed = Self.zk(["-s", address, "addWatch", "--count", "2", "/w"])
            try await Self.awaitWatch(on: "/w", zk)
            _ = try await zk(["set", "/w", "1"], [])
            _ = try await zk(["create", "/w/third"], [])
            // Each event with the node's version, zxid, time and data.
            let lines = try await streamed.text.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count == 3 && lines.last == "", "\(lines)")
            #expect(
                lines.first?.contains(/^NodeDataChanged \/w version \d+ zxid 0x[0-9a-f]+ .+ \d{4}: 1$/) == true,
                "\(lines)")
            #expect(
                lines.dropFirst().first?.contains(/^NodeCreated \/w\/third version 0 zxid 0x[0-9a-f]+ .+: $/) == true)
        }
    }

    /// `-w` one-shot: the data at once, then the event when it comes; in a script the event is
    /// announced and the script goes on (it used to wait there for an event that only a later
    /// line of the same script could cause).
    @Test func watchFlagOneShotAndInScripts() async throws {
        try await Self.withServer { (zk, address) async throws in
            _ = try await zk(["create", "/w", "one"], [])
            async let waiting = Self.zk(["-s", address, "get", "-w", "/w"])
            try await Self.awaitWatch(on: "/w", zk)
            _ = try await zk(["set", "/w", "two"], [])
            let result = try await waiting
            #expect(result.status == 0)
            #expect(result.text == "one")
            #expect(result.errorText == "WATCHER:: NodeDataChanged /w\n")

            let script = try await zk(["-c", "get -w /w; set /w three; ls -w /; create /x; stat -w /x; delete /x"], [])
            #expect(script.status == 0, "\(script.errorText)")
            #expect(script.text.hasPrefix("two\n[w, zookeeper]\n"), "\(script.text)")
            #expect(
                script.errorText.split(separator: "\n").sorted() == [
                    "WATCHER:: NodeChildrenChanged /", "WATCHER:: NodeDataChanged /w", "WATCHER:: NodeDeleted /x",
                ], "\(script.errorText)")
        }
    }

    @Test func createGetSetDeleteWithExitCodes() async throws {
        try await Self.withServer { (zk, _) async throws in
            let created = try await zk(["create", "/app", "v1"], [])
            #expect(created.status == 0 && created.text == "/app\n")
            #expect(try await zk(["get", "/app"], []).text == "v1")
            #expect(try await zk(["create", "/app", "again"], []).status == 3)
            #expect(try await zk(["get", "/missing"], []).status == 2)
            #expect(try await zk(["set", "-v", "5", "/app", "v2"], []).status == 4)
            #expect(try await zk(["set", "-v", "0", "/app", "v2"], []).status == 0)
            #expect(try await zk(["create", "/app/child"], []).status == 0)
            let notEmpty = try await zk(["delete", "/app"], [])
            #expect(notEmpty.status == 5)
            #expect(notEmpty.errorText == "zk: NotEmpty: node has children: /app\n")
            #expect(try await zk(["exists", "/app"], []).status == 0)
            #expect(try await zk(["exists", "/nope"], []).status == 2)
            #expect(try await zk(["deleteall", "/app"], []).status == 64)
            #expect(try await zk(["deleteall", "--force", "/app"], []).status == 0)
            #expect(try await zk(["deleteall", "--force", "/"], []).status == 64)
            #expect(try await zk(["exists", "/app"], []).status == 2)
            #expect(try await zk(["get"], []).status == 64)
            #expect(try await zk(["nonsense"], []).status == 64)
        }
    }

    /// A reader that goes away (`| head`) ends zk at once and quietly, with SIGPIPE's status, as
    /// other tools do; zk ignores SIGPIPE itself (for its sockets), and used to crash there.
    @Test func aClosedPipeEndsZkQuietly() async throws {
        try await Self.withServer { (zk, address) async throws in
            #expect(try await zk(["bench", "--count", "5000", "--ops", "create", "--keep"], []).status == 0)
            let result = try await ChildProcess.run(
                "/bin/bash", ["-c", "set -o pipefail; '\(ServeCommandTests.zk.path)' -s \(address) ls -R / | head -1"],
                environment: Self.environment())
            #expect(result.text == "/\n")
            #expect(result.status == 141)
            #expect(result.errorText.isEmpty)
        }
    }

    @Test func binaryDataRoundTripsThroughPipes() async throws {
        try await Self.withServer { (zk, _) async throws in
            let bytes = (0..<256).map { UInt8($0) } + [0, 10, 13, 0xFF]
            #expect(try await zk(["create", "/bin", "-"], bytes).status == 0)
            let read = try await zk(["get", "/bin"], [])
            #expect(read.stdout == bytes)
            #expect(read.errorText.isEmpty)
            #expect(try await zk(["set", "/bin", "-"], Array("text".utf8)).status == 0)
            #expect(try await zk(["get", "/bin"], []).stdout == Array("text".utf8))
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("zk-\(UUID().uuidString)")
            try Data(bytes).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            #expect(try await zk(["set", "/bin", "@\(file.path)"], []).status == 0)
            #expect(try await zk(["get", "/bin"], []).stdout == bytes)
            // base64 out and back in; the hex dump shows offsets, bytes and printable text.
            let encoded = try await zk(["get", "-b", "/bin"], []).text
            #expect(encoded == Data(bytes).base64EncodedString() + "\n")
            #expect(
                try await zk(["set", "--base64", "/bin", Data("hi\u{0}".utf8).base64EncodedString()], []).status == 0)
            #expect(try await zk(["get", "/bin"], []).stdout == Array("hi\u{0}".utf8))
            #expect(
                try await zk(["get", "-x", "/bin"], []).text == "00000000  68 69 00" + String(repeating: " ", count: 41)
                    + "hi.\n")
            #expect(try await zk(["set", "-b", "/bin", "not base64!"], []).status == 64)
        }
    }

    @Test func sequentialCreatesPrintTheirPath() async throws {
        try await Self.withServer { (zk, _) async throws in
            #expect(try await zk(["create", "/q"], []).status == 0)
            #expect(try await zk(["create", "-s", "/q/task-", "a"], []).text == "/q/task-0000000000\n")
            #expect(try await zk(["create", "-s", "/q/task-", "b"], []).text == "/q/task-0000000001\n")
            #expect(try await zk(["ls", "/q"], []).text == "[task-0000000000, task-0000000001]\n")
            #expect(try await zk(["create", "--parents", "/deep/er/node"], []).status == 0)
            #expect(try await zk(["exists", "/deep/er"], []).status == 0)
        }
    }

    @Test func jsonOutputParses() async throws {
        try await Self.withServer { (zk, _) async throws in
            _ = try await zk(["create", "/j", "value"], [])
            _ = try await zk(["create", "/j/k"], [])
            func object(_ result: Result) throws -> [String: Any] {
                try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
            }
            let get = try object(try await zk(["--json", "get", "/j"], []))
            #expect(get["data"] as? String == "value")
            #expect((get["stat"] as? [String: Any])?["numChildren"] as? Int == 1)
            let ls = try object(try await zk(["ls", "--json", "/j"], []))
            #expect(ls["children"] as? [String] == ["k"])
            let tree = try object(try await zk(["tree", "--json", "/j"], []))
            #expect((tree["children"] as? [[String: Any]])?.first?["path"] as? String == "/j/k")
            let acl = try #require(
                try JSONSerialization.jsonObject(with: Data(try await zk(["getAcl", "--json", "/j"], []).stdout))
                    as? [[String: Any]])
            #expect(acl.first?["perms"] as? String == "cdrwa")
            // Strings survive whole (quotes, backslashes, control characters, non-ASCII); slashes
            // stay unescaped; keys come sorted.
            let tricky = "a \"quoted\" \\ back/slash\n\t\u{01} é ✓"
            #expect(try await zk(["create", "/j/tricky", "-"], Array(tricky.utf8)).status == 0)
            let raw = try await zk(["--json", "get", "-s", "/j/tricky"], [])
            #expect(try object(raw)["data"] as? String == tricky)
            #expect(raw.text.contains("back/slash"))
            let keys = raw.text.matches(of: /"(\w+)":/).map { String($0.output.1) }
            // {"data", "encoding", "path", "stat": {...}}: each object's keys in order.
            let split = try #require(keys.firstIndex(of: "stat"))
            #expect(Array(keys[...split]) == ["data", "encoding", "path", "stat"])
            #expect(keys[(split + 1)...].count == 11 && keys[(split + 1)...].sorted() == Array(keys[(split + 1)...]))
        }
    }

    @Test func statPrintsTimesAsZkCliDoes() async throws {
        try await Self.withServer { (zk, _) async throws in
            _ = try await zk(["create", "/t"], [])
            let stat = try #require(
                try JSONSerialization.jsonObject(with: Data(try await zk(["--json", "stat", "/t"], []).stdout))
                    as? [String: Any])
            let ctime = try #require(stat["ctime"] as? Int)
            // Java's Date.toString() layout, in local time: the same as date(1) in the C locale.
            let expected = try await ChildProcess.run(
                "/bin/date", ["-d", "@\(ctime / 1000)", "+%a %b %d %H:%M:%S %Z %Y"],
                environment: ProcessInfo.processInfo.environment.merging(["LC_ALL": "C"]) { $1 })
            let text = try await zk(["stat", "/t"], []).text
            #expect(text.contains("ctime = \(expected.text)"))
        }
    }

    @Test func scriptsRunOnOneSession() async throws {
        try await Self.withServer { (zk, address) async throws in
            let script = "create -e /eph x\ngetEphemerals\n# a comment\nbogus\nls /\n"
            let result = try await zk([], Array(script.utf8))
            #expect(result.text == "/eph\n[/eph]\n[eph, zookeeper]\n")
            #expect(result.errorText.contains("unknown command 'bogus'"))
            #expect(result.status == 64)
            let stopped = try await zk(["--stop-on-error", "-c", "create /s; get /missing; create /never"], [])
            #expect(stopped.status == 2)
            #expect(try await zk(["exists", "/never"], []).status == 2)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("zk-\(UUID().uuidString)")
            try Data("cd /s\ncreate child c\npwd\nget child\ncd ..\npwd\n".utf8).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            #expect(try await zk(["-f", file.path], []).text == "/s/child\n/s\nc\n/\n")
            _ = address
        }
    }

    @Test func aclsAndAuth() async throws {
        try await Self.withServer { (zk, address) async throws in
            #expect(
                try await zk(
                    [
                        "create", "/secret", "s",
                        "digest:u:\(Id.digest(user: "u", password: "p").id.dropFirst(2)):cdrwa",
                    ], []
                ).status == 0)
            #expect(try await zk(["get", "/secret"], []).status == 6)
            let authorized = try await Self.zk(["-s", address, "--auth", "digest:u:p", "get", "/secret"])
            #expect(authorized.text == "s")
            let viaEnvironment = try await Self.zk(
                ["-s", address, "get", "/secret"], environment: ["ZK_AUTH": "digest:u:p"])
            #expect(viaEnvironment.text == "s")
            #expect(try await zk(["setAcl", "/secret", "world:anyone:r"], []).status == 6)
            #expect(
                try await zk(["-c", "addauth digest u:p; setAcl /secret world:anyone:r; getAcl /secret"], []).text
                    == "'world,'anyone\n: r\n")
            #expect(try await zk(["setAcl", "/secret", "bad"], []).status == 64)
        }
    }

    @Test func watchStreamsEvents() async throws {
        try await Self.withServer { (zk, address) async throws in
            _ = try await zk(["create", "/config"], [])
            async let watching = Self.zk(["-s", address, "watch", "-R", "--count", "2", "--json", "/config"])
            try await Self.awaitWatch(on: "/config", zk)
            _ = try await zk(["create", "/config/db", "x"], [])
            _ = try await zk(["set", "/config/db", "y"], [])
            let output = try await watching.text
            // Each event with the node's data, version, zxid and time as read after it.
            let events = try output.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(events.map { $0["type"] as? String } == ["NodeCreated", "NodeDataChanged"], "\(output)")
            #expect(events.allSatisfy { $0["path"] as? String == "/config/db" }, "\(output)")
            #expect(events.last?["data"] as? String == "y" && events.last?["version"] as? Int == 1, "\(output)")
            #expect(events.allSatisfy { $0["zxid"] is Int && $0["mtime"] is Int }, "\(output)")
        }
    }

    @Test func findGrepDuAndTransactions() async throws {
        try await Self.withServer { (zk, _) async throws in
            _ = try await zk(
                ["-c", "create /svc; create /svc/server-1 host=a; create /svc/server-2 host=b; create /svc/cfg url=x"],
                [])
            #expect(try await zk(["find", "/svc", "--name", "server-*"], []).text == "/svc/server-1\n/svc/server-2\n")
            #expect(try await zk(["find", "/svc", "--regex", "cfg$"], []).text == "/svc/cfg\n")
            #expect(try await zk(["grep", "host=", "/svc"], []).text == "/svc/server-1:host=a\n/svc/server-2:host=b\n")
            #expect(try await zk(["grep", "-l", "nothing", "/svc"], []).status == 1)
            #expect(try await zk(["du", "/svc"], []).text == "17\t4\t/svc\n")  // host=a, host=b, url=x
            // The ephemeral node lives as long as the script's session.
            #expect(
                try await zk(["-c", "create -e /svc/live; find /svc --ephemeral"], []).text
                    == "/svc/live\n/svc/live\n")
            // More nodes than one batch call takes: the deletes go deepest first across calls.
            #expect(
                try await zk(["bench", "--count", "5000", "--path", "/big/a", "--keep", "--ops", "create"], []).status
                    == 0)
            #expect(try await zk(["create", "/big/b"], []).status == 0)
            #expect(try await zk(["du", "/big"], []).text == "500000\t5003\t/big\n")
            #expect(try await zk(["deleteall", "--force", "/big"], []).status == 0)
            #expect(try await zk(["exists", "/big"], []).status == 2)
            let applied = try await zk(["txn", "check /svc 0", "set /svc v 0", "create /svc/new n"], [])
            #expect(applied.text == "checked\nset, version 1\ncreated /svc/new\n")
            let failed = try await zk(["txn", "create /svc/x", "check /svc 0"], [])
            #expect(failed.status == 4)
            #expect(failed.errorText.contains("check /svc 0: failed: BadVersion"))
            #expect(try await zk(["exists", "/svc/x"], []).status == 2)
            #expect(try await zk(["txn", "frobnicate /x"], []).status == 64)
        }
    }

    @Test func listRecursiveIsCapitalR() async throws {
        try await Self.withServer { (zk, _) async throws in
            _ = try await zk(["-c", "create /r x; create /r/a y; create /r/a/b z"], [])
            #expect(try await zk(["ls", "-R", "/r"], []).text == "/r\n/r/a\n/r/a/b\n")
            #expect(try await zk(["ls", "-r", "/r"], []).status == 64)
        }
    }

    @Test func copyBacksUpAndRestoresSubtrees() async throws {
        try await Self.withServer { (zk, _) async throws in
            let bytes: [UInt8] = [0, 1, 2, 0xFF]
            _ = try await zk(["-c", "create /src top; create /src/a alpha; create /src/a/b beta"], [])
            _ = try await zk(["create", "/src/bin", "-"], bytes)
            #expect(try await zk(["cp", "/src", "/dst"], []).status == 0)
            #expect(try await zk(["get", "/dst/a/b"], []).text == "beta")
            #expect(try await zk(["cp", "/src", "/dst"], []).status == 3)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("zk-\(UUID().uuidString).json")
                .path
            defer { try? FileManager.default.removeItem(atPath: file) }
            #expect(try await zk(["cp", "/src", "json:\(file)"], []).status == 0)
            #expect(try await zk(["cp", "/src", "json:\(file)"], []).status == 64)
            #expect(try await zk(["cp", "json:\(file)", "/restored"], []).status == 0)
            #expect(try await zk(["get", "/restored"], []).text == "top")
            #expect(try await zk(["get", "/restored/bin"], []).stdout == bytes)
            #expect(try await zk(["cp", "/src", "/zookeeper/x"], []).status == 64)
            // A local directory: one directory per node, binary data kept byte for byte.
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zk-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            #expect(try await zk(["cp", "/src", "dir:\(directory.path)"], []).status == 0)
            #expect(FileManager.default.contents(atPath: directory.path + "/a/b/.zkdata") == Data("beta".utf8))
            #expect(try await zk(["cp", "/src", "dir:\(directory.path)"], []).status == 64)
            try Data("gamma".utf8).write(to: directory.appendingPathComponent("a/.zkdata"))
            try FileManager.default.createDirectory(
                at: directory.appendingPathComponent("new/leaf"), withIntermediateDirectories: true)
            #expect(try await zk(["cp", "dir:\(directory.path)", "/fromdir"], []).status == 0)
            #expect(try await zk(["get", "/fromdir/a"], []).text == "gamma")
            #expect(try await zk(["get", "/fromdir/bin"], []).stdout == bytes)
            #expect(try await zk(["ls", "/fromdir/new"], []).text == "[leaf]\n")
            #expect(try await zk(["cp", "dir:/nonexistent-\(UUID().uuidString)", "/x"], []).status == 64)
        }
    }

    @Test func diffEditAndConnect() async throws {
        try await Self.withServer { (zk, address) async throws in
            _ = try await zk(["-c", "create /a x; create /a/b 1; create /c x; create /c/b 2; create /c/d"], [])
            let different = try await zk(["diff", "/a", "/c"], [])
            #expect(different.status == 1)
            #expect(different.text == "~ /b\n  - 1\n  + 2\n+ /d\n")
            #expect(try await zk(["diff", "/a", "/a"], []).status == 0)

            // The editor changes the data; it is written back with a version check.
            _ = try await zk(["create", "/conf", "hello"], [])
            let edited = try await Self.zk(
                ["-s", address, "edit", "/conf"], environment: ["EDITOR": "sed -i s/hello/bye/", "VISUAL": ""])
            #expect(edited.status == 0)
            #expect(try await zk(["get", "/conf"], []).text == "bye")
            // Someone else changes the node while the editor runs: nothing is written.
            let zkPath = ServeCommandTests.zk.path
            let raced = try await Self.zk(
                ["-s", address, "edit", "/conf"],
                environment: [
                    "VISUAL": "", "EDITOR": "'\(zkPath)' -s \(address) set /conf other >/dev/null; sed -i s/bye/mine/",
                ])
            #expect(raced.status == 4)
            #expect(raced.errorText.contains("changed while you edited it"))
            #expect(try await zk(["get", "/conf"], []).text == "other")
            // The work is kept, in the file the message names.
            let kept = try #require(raced.errorText.split(separator: " ").last?.trimmingCharacters(in: .newlines))
            defer { try? FileManager.default.removeItem(atPath: kept) }
            #expect(try String(contentsOfFile: kept, encoding: .utf8) == "mine")

            // connect moves the shell to another server.
            try await ZooKeeperServer.withServer { other in
                let moved = try await zk(["-c", "connect \(other.connectString); create /elsewhere; close; ls /"], [])
                #expect(moved.text == "/elsewhere\n[elsewhere, zookeeper]\n")
            }
            #expect(try await zk(["exists", "/elsewhere"], []).status == 2)
        }
    }

    @Test func noServerFailsFastWithAHint() async throws {
        let port = try freePort()
        let result = try await Self.zk(
            ["--connect-timeout", "1", "ls", "/"], environment: ["ZK_SERVER": "127.0.0.1:\(port)"])
        #expect(result.status == 7)
        #expect(
            result.errorText
                == "zk: cannot connect to 127.0.0.1:\(port): connection refused; give a server with -s HOST:PORT or $ZK_SERVER, or try --embedded\n"
        )
        let hint = try await Self.zk(["--connect-timeout", "1", "ls", "/"])
        #expect(hint.errorText.contains("try --embedded") || hint.status == 0)
    }

    @Test func fourLetterWordsAndEmbedded() async throws {
        try await Self.withServer { (zk, _) async throws in
            #expect(try await zk(["4lw", "ruok"], []).text == "imok")
            #expect(try await zk(["4lw", "toolong"], []).status == 64)
        }
        let embedded = try await Self.zk(["--embedded", "-c", "create /e x; get /e; 4lw ruok"])
        #expect(embedded.text == "/e\nx\nimok\n")
    }
}
