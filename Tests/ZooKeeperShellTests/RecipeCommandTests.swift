import Foundation
import Testing
import ZooKeeper
import ZooKeeperServer
import ZooKeeperTestSupport

/// The recipe commands of `zk`, run as processes against an embedded server and, for lock and
/// elect, against a real Apache ZooKeeper too.
@Suite(.timeLimit(.minutes(3))) struct RecipeCommandTests {
    @Test(arguments: ShellTarget.allCases)
    func processesUnderZkLockNeverOverlapAndLoseNoIncrement(_ target: ShellTarget) async throws {
        try await target.withConnectString { address in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "zk-lock-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let counter = directory.appendingPathComponent("count").path
            try "0".write(toFile: counter, atomically: true, encoding: .utf8)
            // An unsafe read-modify-write of a file, and an overlap detector: safe only under the lock.
            let critical = """
                [ -e '\(directory.path)/busy' ] && echo overlap >> '\(directory.path)/log'; \
                touch '\(directory.path)/busy'; n=$(cat '\(counter)'); sleep 0.02; \
                echo $((n + 1)) > '\(counter)'; rm '\(directory.path)/busy'
                """
            let zk = ServeCommandTests.zk.path
            let loop =
                "for i in 1 2 3 4 5; do '\(zk)' -s \(address) lock /locks/counter -- sh -c \"$0\" || exit $?; done"
            let results = try await withThrowingTaskGroup(of: ChildProcess.Result.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await ChildProcess.run(
                            "/bin/sh", ["-c", loop, critical], environment: ShellCommandTests.environment())
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.map(\.status) == [0, 0, 0, 0], "\(results.map(\.errorText))")
            #expect(
                try String(contentsOfFile: counter, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                    == "20")
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("log").path))
            // The command's status is zk's status; the lock is free again afterwards.
            let failing = try await ShellCommandTests.zk([
                "-s", address, "lock", "/locks/counter", "--", "sh", "-c", "exit 3",
            ])
            #expect(failing.status == 3)
            // A command ended by a signal gives 128 + its number, as shells do.
            let killed = try await ShellCommandTests.zk([
                "-s", address, "lock", "/locks/counter", "--", "sh", "-c", "kill -TERM $$",
            ])
            #expect(killed.status == 143)
            // The command starts with default signal dispositions, not zk's (which ignores SIGPIPE):
            // `yes` into a closed pipe dies quietly instead of reporting a write error.
            let piped = try await ShellCommandTests.zk([
                "-s", address, "lock", "/locks/counter", "--", "sh", "-c", "yes | head -c 1 >/dev/null",
            ])
            #expect(piped.status == 0)
            #expect(piped.errorText.isEmpty)
            // ... and with stdin, stdout and stderr only: none of zk's connections or pipes.
            let descriptors = try await ShellCommandTests.zk([
                "-s", address, "lock", "/locks/counter", "--", "sh", "-c", "ls /proc/$$/fd",
            ])
            #expect(descriptors.text == "0\n1\n2\n")
            let client = try await ZooKeeperClient.connect(address)
            #expect(try await client.getChildren("/locks/counter").isEmpty)
            try await client.close()
        }
    }

    @Test(arguments: ShellTarget.allCases)
    func aNewLeaderRunsItsCommandWhenTheLeaderDies(_ target: ShellTarget) async throws {
        // A command of its own to find the dead leader's orphan by, per target (both run at once).
        let orphan = target == .embedded ? "97.31" : "97.32"
        try await target.withConnectString { address in
            let zk = ServeCommandTests.zk.path
            let marker = FileManager.default.temporaryDirectory.appendingPathComponent("zk-led-\(UUID().uuidString)")
                .path
            defer { try? FileManager.default.removeItem(atPath: marker) }
            // The first candidate leads and keeps leading (its command never ends). Its session
            // lasts 10 s: with 4 s, the test twice waited in vain for the second candidate to
            // queue behind it on a loaded machine (likely the session expired under the load,
            // so the second one led at once).
            let first = Process()
            first.executableURL = URL(fileURLWithPath: zk)
            first.environment = ShellCommandTests.environment()
            first.arguments = [
                "-s", address, "--timeout", "10", "elect", "/election", "--id", "a", "--", "sleep", orphan,
            ]
            first.standardOutput = FileHandle.nullDevice
            try first.run()
            try await eventually {
                try await ShellCommandTests.zk(["-s", address, "elect", "/election", "--list"]).text
                    == "a (leader)\n"
            }
            async let second = ShellCommandTests.zk([
                "-s", address, "elect", "/election", "--id", "b", "--", "sh", "-c",
                "echo led > '\(marker)'",
            ])
            try await eventually {
                try await ShellCommandTests.zk(["-s", address, "elect", "/election", "--list"]).text
                    == "a (leader)\nb\n"
            }
            #expect(!FileManager.default.fileExists(atPath: marker))
            // The leader's process dies; once its session expires, the second candidate leads.
            kill(first.processIdentifier, SIGKILL)
            await ChildProcess.waitUntilExit(first)
            #expect(try await second.status == 0)
            #expect(try String(contentsOfFile: marker, encoding: .utf8) == "led\n")
            #expect(
                try await ShellCommandTests.zk(["-s", address, "elect", "/election", "--list"]).text == "")
            // The `sleep` the dead leader started is orphaned: end it.
            _ = try? await ChildProcess.run("/usr/bin/pkill", ["-f", "^sleep \(orphan)$"])
        }
    }

    @Test func queueCommands() async throws {
        try await ZooKeeperServer.withServer { server in
            func run(_ arguments: [String]) async throws -> ChildProcess.Result {
                try await ShellCommandTests.zk(["-s", server.connectString] + arguments)
            }
            // take waits for an item that arrives later.
            async let waited = run(["queue", "take", "/jobs"])
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await run(["queue", "put", "/jobs", "first"]).text == "/jobs/item-0000000000\n")
            #expect(try await waited.text == "first")
            _ = try await run(["queue", "put", "/jobs", "second"])
            _ = try await run(["queue", "put", "/jobs", "third"])
            #expect(try await run(["queue", "count", "/jobs"]).text == "2\n")
            #expect(try await run(["queue", "peek", "/jobs"]).text == "second")
            #expect(
                try await run(["queue", "ls", "/jobs"]).text == "item-0000000001\tsecond\nitem-0000000002\tthird\n")
            #expect(try await run(["queue", "take", "/jobs"]).text == "second")
            #expect(try await run(["queue", "frobnicate", "/jobs"]).status == 64)
        }
    }

    @Test func watchExecRunsACommandPerEvent() async throws {
        var configuration = ZooKeeperServer.Configuration(port: 0)
        configuration.fourLetterWordWhitelist = ["*"]
        try await ZooKeeperServer.withServer(configuration: configuration) { server in
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("zk-exec-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: log) }
            async let watcher = ShellCommandTests.zk([
                "-s", server.connectString, "watch", "-R", "--count", "2", "--exec",
                "echo \"$ZK_EVENT_TYPE $ZK_EVENT_PATH\" >> '\(log)'", "/",
            ])
            try await ShellCommandTests.awaitWatch(on: "/") { arguments, _ in
                try await ShellCommandTests.zk(["-s", server.connectString] + arguments)
            }
            let client = try await ZooKeeperClient.connect(server.connectString)
            try await client.create("/config", data: [1])
            try await client.setData("/config", data: [2])
            #expect(try await watcher.status == 0)
            #expect(
                try String(contentsOfFile: log, encoding: .utf8) == "NodeCreated /config\nNodeDataChanged /config\n")
            try await client.close()
        }
    }
}
