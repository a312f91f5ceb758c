import Foundation
import Testing
import ZooKeeper
import ZooKeeperServer
import ZooKeeperTestSupport

/// The rough edges a new user meets side by side with zkCli.sh: quoting, zkCli's flags, JSON on
/// every printing command, help, recipes' waits.
@Suite(.timeLimit(.minutes(3))) struct DailyUseTests {
    typealias Result = ChildProcess.Result

    static func json(_ result: Result) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(result.stdout))
    }

    /// One tokenizer for -c, -f, stdin: quotes and backslashes protect ';', which separates
    /// commands everywhere; '@@' writes data that starts with '@'.
    @Test func quotesProtectSemicolonsEverywhere() async throws {
        try await ShellCommandTests.withServer { (zk, _) async throws in
            let command = try await zk(["-c", "create /s1 'a;b'; get /s1; set /s1 \"c;d\"; get /s1"], [])
            #expect(command.status == 0, "\(command.errorText)")
            #expect(command.text == "/s1\na;b\nc;d\n")
            let script =
                "create /semi \"a;b\"; get /semi\nset /semi e\\;f; get /semi # not a comment\n# a comment; get /semi\n"
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("zk-script-\(UUID().uuidString)")
            try Data(script.utf8).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let fromFile = try await zk(["-f", file.path], [])
            // '#' inside a line is a word: get is given three.
            #expect(fromFile.status == 64, "\(fromFile.errorText)")
            #expect(fromFile.text == "/semi\na;b\n", "\(fromFile.text)")
            _ = try await zk(["delete", "/semi"], [])
            let fromStdin = try await zk(
                [], Array("create /semi \"a;b\"; get /semi\nset /semi e\\;f; get /semi\n".utf8))
            #expect(fromStdin.status == 0, "\(fromStdin.errorText)")
            #expect(fromStdin.text == "/semi\na;b\ne;f\n")
            // Data starting with '@': '@@' stands for one '@'.
            #expect(try await zk(["set", "/s1", "@@x"], []).status == 0)
            #expect(try await zk(["get", "/s1"], []).text == "@x")
            #expect(try await zk(["-c", "set /s1 '@@y;z'; get /s1"], []).text == "@y;z\n")
        }
    }

    /// zkCli's spellings: setAcl -R and -s, deleteall -b, negative option values; get -s into a
    /// pipe keeps the data and the stat apart.
    @Test func zkCliFlagsAreAccepted() async throws {
        try await ShellCommandTests.withServer { (zk, _) async throws in
            _ = try await zk(["create", "/c", "x"], [])
            _ = try await zk(["create", "/c/d", "y"], [])
            let set = try await zk(["set", "-v", "-1", "/c", "v2"], [])
            #expect(set.status == 0, "\(set.errorText)")
            #expect(try await zk(["setAcl", "-R", "/c", "world:anyone:cdrwa"], []).status == 0)
            let withStat = try await zk(["setAcl", "-s", "-v", "-1", "/c", "world:anyone:cdrwa"], [])
            #expect(withStat.status == 0, "\(withStat.errorText)")
            #expect(withStat.text.contains("aclVersion = 2"), "\(withStat.text)")
            let got = try await zk(["get", "-s", "/c"], [])
            #expect(got.text.hasPrefix("v2\ncZxid = "), "\(got.text)")
            #expect(try await zk(["delete", "-v", "-1", "/c/d"], []).status == 0)
            _ = try await zk(["create", "/c/e"], [])
            let deleted = try await zk(["deleteall", "/c", "-b", "1", "--force"], [])
            #expect(deleted.status == 0, "\(deleted.errorText)")
            #expect(try await zk(["exists", "/c"], []).status == 2)
            _ = try await zk(["create", "/ttl-parent"], [])
        }
    }

    /// The same zkCli lines through zkCli.sh and through zk, against Apache ZooKeeper: zk
    /// accepts each, and the nodes end the same.
    @Test func zkCliLinesEndLikeZkCli() async throws {
        let hosts = try await SharedApacheZooKeeper.connectString()
        let root = "/daily-\(UUID().uuidString.prefix(8))"
        let lines = [
            "create \(root)", "create \(root)/c x", "create \(root)/c/d y", "set -v -1 \(root)/c v2",
            "setAcl -R \(root)/c world:anyone:cdrwa", "setAcl -s -v -1 \(root)/c world:anyone:cdrwa",
            "create -s \(root)/c/q- z", "deleteall \(root)/c/d -b 1",
        ]
        let zkCli = try await ChildProcess.run(
            "/usr/share/zookeeper/bin/zkCli.sh", ["-server", hosts],
            input: Array(
                (lines.map { $0.replacingOccurrences(of: root, with: root + "-cli") } + ["quit"]).joined(
                    separator: "\n"
                ).utf8), timeout: .seconds(90))
        #expect(!zkCli.text.contains("Exception"), "\(zkCli.text)")
        // zk's guardrail stays: outside the interactive shell deleteall wants --force.
        let ourLines = lines.map { $0.hasPrefix("deleteall") ? $0 + " --force" : $0 }
        let ours = try await ShellCommandTests.zk(["-s", hosts], input: Array(ourLines.joined(separator: "\n").utf8))
        #expect(ours.status == 0, "\(ours.errorText)")
        #expect(ours.errorText.isEmpty, "\(ours.errorText)")
        // Apache's srvr and mntr as JSON fields.
        let srvr = try #require(
            try Self.json(try await ShellCommandTests.zk(["-s", hosts, "--json", "4lw", "srvr"])) as? [[String: Any]])
        #expect(srvr.first?["mode"] as? String == "standalone", "\(srvr)")
        #expect(srvr.first?["latency_max"] is Int && srvr.first?["node_count"] is Int, "\(srvr)")
        let mntr = try #require(
            try Self.json(try await ShellCommandTests.zk(["-s", hosts, "4lw", "mntr", "--json"])) as? [[String: Any]])
        #expect(mntr.first?["zk_znode_count"] is Int && mntr.first?["zk_version"] is String, "\(mntr)")
        for suffix in ["", "-cli"] {
            let stat = try Self.json(
                try await ShellCommandTests.zk(["-s", hosts, "--json", "stat", root + suffix + "/c"]))
            let fields = try #require(stat as? [String: Any])
            #expect(fields["version"] as? Int == 1, "\(suffix): \(fields)")
            #expect(fields["aversion"] as? Int == 2, "\(suffix): \(fields)")
            #expect(fields["numChildren"] as? Int == 1, "\(suffix): \(fields)")
            let children = try await ShellCommandTests.zk(["-s", hosts, "ls", root + suffix + "/c"]).text
            #expect(children == "[q-0000000001]\n", "\(suffix): \(children)")
            _ = try await ShellCommandTests.zk(["-s", hosts, "deleteall", "--force", root + suffix])
        }
    }

    /// --json on every printing command: grep, queue, txn, 4lw, diff.
    @Test func jsonEverywhere() async throws {
        try await ShellCommandTests.withServer { (zk, address) async throws in
            _ = try await zk(["create", "/g", "host=a\nport=1"], [])
            let grep = try #require(
                try Self.json(try await zk(["--json", "grep", "host", "/g"], [])) as? [[String: Any]])
            #expect(grep.first?["path"] as? String == "/g" && grep.first?["lines"] as? [String] == ["host=a"])
            let listed = try #require(
                try Self.json(try await zk(["grep", "-l", "--json", "port", "/"], [])) as? [String])
            #expect(listed == ["/g"])
            let none = try await zk(["--json", "grep", "nothing", "/g"], [])
            #expect(none.status == 1 && none.text == "[]\n")

            _ = try await zk(["create", "/q"], [])
            #expect(try await zk(["--json", "queue", "ls", "/q"], []).text == "[]\n")
            let put = try #require(
                try Self.json(try await zk(["--json", "queue", "put", "/q", "job"], [])) as? [String: Any])
            #expect((put["path"] as? String)?.hasPrefix("/q/") == true)
            let items = try #require(
                try Self.json(try await zk(["--json", "queue", "ls", "/q"], [])) as? [[String: Any]])
            #expect(items.count == 1 && items.first?["data"] as? String == "job")
            let count = try #require(
                try Self.json(try await zk(["--json", "queue", "count", "/q"], [])) as? [String: Any])
            #expect(count["count"] as? Int == 1)
            let peek = try #require(
                try Self.json(try await zk(["--json", "queue", "peek", "/q"], [])) as? [String: Any])
            #expect(peek["data"] as? String == "job")

            let txn = try #require(
                try Self.json(try await zk(["--json", "txn", "create -s /q/o- x", "set /g y", "check /g 1"], []))
                    as? [[String: Any]])
            #expect((txn.first?["path"] as? String)?.hasPrefix("/q/o-00000") == true, "\(txn)")
            #expect(((txn.dropFirst().first?["stat"] as? [String: Any])?["version"] as? Int) == 1, "\(txn)")

            let words = try #require(try Self.json(try await zk(["--json", "4lw", "mntr"], [])) as? [[String: Any]])
            #expect(words.first?["server"] as? String == address)
            #expect(words.first?["zk_znode_count"] is Int, "\(words)")
            let srvr = try #require(try Self.json(try await zk(["4lw", "srvr", "--json"], [])) as? [[String: Any]])
            #expect(srvr.first?["mode"] as? String == "standalone", "\(srvr)")
            let ruok = try #require(try Self.json(try await zk(["4lw", "ruok", "--json"], [])) as? [[String: Any]])
            #expect(ruok.first?["imok"] as? Bool == true, "\(ruok)")

            _ = try await zk(["create", "/a", ""], [])
            _ = try await zk(["create", "/a/x", "old"], [])
            _ = try await zk(["create", "/b", ""], [])
            _ = try await zk(["create", "/b/x", "new\nline"], [])
            let diff = try await zk(["diff", "/a", "/b"], [])
            #expect(diff.status == 1)
            #expect(diff.text == "~ /x\n  - old\n  + new\\nline\n", "\(diff.text)")
            let diffJSON = try #require(
                try Self.json(try await zk(["--json", "diff", "/a", "/b"], [])) as? [[String: Any]])
            #expect(diffJSON.first?["old"] as? String == "old" && diffJSON.first?["new"] as? String == "new\nline")
            let small = try await zk(["-c", "cd /a; pwd --json; printwatches --json; sync --json /a"], [])
            #expect(small.text == "{\"path\":\"/a\"}\n{\"printwatches\":true}\n{\"path\":\"/a\",\"synced\":true}\n")
        }
    }

    /// Several servers: srvr, mntr and ruok go to each, labelled; another word to the first only;
    /// a server that does not answer is reported and fails the command, the others still print.
    @Test func fourLetterWordsGoToEveryServer() async throws {
        var configuration = ZooKeeperServer.Configuration(port: 0)
        configuration.fourLetterWordWhitelist = ["*"]
        try await ZooKeeperServer.withServer(configuration: configuration) { first in
            try await ZooKeeperServer.withServer(configuration: configuration) { second in
                let both = first.connectString + "," + second.connectString
                let ruok = try await ShellCommandTests.zk(["-s", both, "4lw", "ruok"])
                #expect(ruok.status == 0, "\(ruok.errorText)")
                #expect(ruok.text == "[\(first.connectString)]\nimok\n[\(second.connectString)]\nimok\n")
                let one = try await ShellCommandTests.zk(["-s", both, "4lw", "--no-all", "ruok"])
                #expect(one.text == "imok")
                let conf = try await ShellCommandTests.zk(["-s", both, "4lw", "conf"])
                #expect(conf.status == 0 && !conf.text.contains("["), "\(conf.text)")
                let down = "127.0.0.1:\(try freePort())"
                let partly = try await ShellCommandTests.zk(["-s", first.connectString + "," + down, "4lw", "ruok"])
                #expect(partly.status == 7)
                #expect(partly.text == "[\(first.connectString)]\nimok\n", "\(partly.text)")
                #expect(partly.errorText.contains("connection refused"), "\(partly.errorText)")
            }
        }
    }

    @Test func versionAndHelp() async throws {
        let version = try await ShellCommandTests.zk(["--version"])
        #expect(version.status == 0 && version.text.hasPrefix("zk "), "\(version.errorText)")
        let help = try await ShellCommandTests.zk(["get", "--help"])
        #expect(help.status == 0)
        #expect(!help.text.contains("--tls-ca") && !help.text.contains("--server <server>"), "\(help.text)")
        #expect(help.text.contains("--json"), "\(help.text)")
        // ... and says where the connection options are.
        #expect(help.text.hasSuffix("--embedded, --read-only and the TLS options: see 'zk --help'.\n"), "\(help.text)")
        let viaHelp = try await ShellCommandTests.zk(["help", "get"])
        #expect(viaHelp.status == 0 && viaHelp.text == help.text)
        let overview = try await ShellCommandTests.zk(["--help"])
        #expect(overview.text.contains("CONNECTION OPTIONS:") && overview.text.contains("--tls-ca"))
    }

    /// --wait that passes: "gave up waiting", status 9 (not 7, which is the connection's).
    @Test func waitsThatPassGiveUpWithTheirOwnStatus() async throws {
        try await ShellCommandTests.withServer { (zk, address) async throws in
            // The holder holds until the file exists.
            let release = FileManager.default.temporaryDirectory.appendingPathComponent("zk-release-\(UUID())")
            defer { try? FileManager.default.removeItem(at: release) }
            let hold = "while [ ! -e '\(release.path)' ]; do sleep 0.1; done"
            let holder = Task { try await ShellCommandTests.zk(["-s", address, "lock", "/l", "--", "sh", "-c", hold]) }
            try await eventually(within: .seconds(60)) {
                try await zk(["ls", "/l"], []).text.contains("lock-")
            }
            let waiting = try await zk(["lock", "/l", "--wait", "0.5", "--", "true"], [])
            #expect(waiting.status == 9, "\(waiting.errorText)")
            #expect(waiting.errorText.hasPrefix("zk: gave up waiting: "), "\(waiting.errorText)")
            let listed = try await zk(["lock", "/l", "--list"], []).text
            #expect(listed.contains("(holder)"), "\(listed)")
            let json = try #require(
                try Self.json(try await zk(["--json", "lock", "--list", "/l"], [])) as? [String: Any])
            #expect((json["holder"] as? [String: Any])?["session"] is String, "\(json)")

            let barrier = try await zk(["barrier", "/b", "--count", "2", "--wait", "0.5"], [])
            #expect(barrier.status == 9, "\(barrier.errorText)")
            let take = try await zk(["queue", "take", "/empty", "--wait", "0.5"], [])
            #expect(take.status == 9, "\(take.errorText)")
            #expect(take.errorText.hasPrefix("zk: gave up waiting: could not take an item from /empty"))
            _ = try await zk(["queue", "put", "/empty", "item"], [])
            #expect(try await zk(["queue", "take", "/empty", "--wait", "30"], []).text == "item")
            _ = FileManager.default.createFile(atPath: release.path, contents: nil)
            #expect(try await holder.value.status == 0)
        }
    }

    /// zk digest computes the id as Apache ZooKeeper's DigestAuthenticationProvider does (the
    /// password may hold colons: the user ends at the first).
    @Test func digestIsApacheZooKeepers() async throws {
        try Prerequisite.apacheZooKeeper()
        let ours = try await ShellCommandTests.zk(["digest", "alice:s3cr:et"])
        #expect(ours.status == 0, "\(ours.errorText)")
        let apache = try await ChildProcess.run(
            "/usr/bin/env",
            [
                "java", "-cp", "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-api.jar",
                "org.apache.zookeeper.server.auth.DigestAuthenticationProvider", "alice:s3cr:et",
            ])
        // alice:s3cr:et->alice:HASH
        let line = try #require(apache.text.split(separator: "\n").last { $0.hasPrefix("alice:s3cr:et->") })
        #expect(ours.text == line.dropFirst("alice:s3cr:et->".count) + "\n")
        #expect(try await ShellCommandTests.zk(["digest", "nocolon"]).status == 64)
    }

    /// watch --exec hands the node's new data and version to the command, the data also on its stdin.
    @Test func watchExecGetsTheData() async throws {
        try await ShellCommandTests.withServer { (zk, address) async throws in
            _ = try await zk(["create", "/w", "old"], [])
            let command =
                "printf '%s|%s|%s|%s' \"$ZK_EVENT_TYPE\" \"$ZK_EVENT_DATA\" \"$ZK_EVENT_VERSION\" \"$ZK_EVENT_DATA_ENCODING\"; printf '|%s' \"$(cat)\""
            async let watching = ShellCommandTests.zk(["-s", address, "watch", "--count", "1", "--exec", command, "/w"])
            try await ShellCommandTests.awaitWatch(on: "/w", zk)
            _ = try await zk(["set", "/w", "new value"], [])
            #expect(try await watching.text == "NodeDataChanged|new value|1|utf-8|new value")
        }
    }

    /// zkCli.sh's own options before the command: -server, -timeout in milliseconds, -r.
    @Test func zkCliCommandLineOptions() async throws {
        try await ZooKeeperServer.withServer(configuration: .init(port: 0)) { server in
            let session = try await ShellCommandTests.zk(
                ["-server", server.connectString, "-timeout", "10000", "-r", "session"])
            #expect(session.status == 0, "\(session.errorText)")
            #expect(session.text.contains("timeout: 10000 ms"), "\(session.text)")
            let listed = try await ShellCommandTests.zk(
                ["-server", server.connectString, "ls", "/"])
            #expect(listed.text == "[zookeeper]\n", "\(listed.errorText)")
        }
    }

    /// A word Apache ZooKeeper refuses (not in its 4lw.commands.whitelist): status 1, the
    /// refusal on stderr, nothing on stdout.
    @Test func aRefusedWordFailsAgainstApache() async throws {
        try Prerequisite.apacheZooKeeper()
        try await ApacheZooKeeper.with(extraConfig: ["4lw.commands.whitelist=srvr"]) { apache in
            let refused = try await ShellCommandTests.zk(["-s", apache.connectString, "4lw", "dump"])
            #expect(refused.status == 1)
            #expect(refused.stdout.isEmpty, "\(refused.text)")
            #expect(refused.errorText.contains("dump is not executed because it is not in the whitelist"))
            let allowed = try await ShellCommandTests.zk(["-s", apache.connectString, "4lw", "srvr"])
            #expect(allowed.status == 0 && allowed.text.contains("Mode: standalone"), "\(allowed.errorText)")
        }
    }
}
