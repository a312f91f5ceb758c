import Foundation
import Synchronization
import Testing
import ZooKeeper
import ZooKeeperRecipes
import ZooKeeperServer
import ZooKeeperTestSupport

/// `zk register` and `zk services`, run as processes against an embedded server (and the
/// killed-process case against a real Apache ZooKeeper too).
@Suite(.timeLimit(.minutes(3))) struct RegistryCommandTests {
    @Test(arguments: ShellTarget.allCases)
    func aKilledRegistrationLeavesTheRegistryOnceItsSessionTimesOut(_ target: ShellTarget) async throws {
        try await target.withConnectString { address in
            let zk = ServeCommandTests.zk.path
            func run(_ arguments: [String]) async throws -> ChildProcess.Result {
                try await ShellCommandTests.zk(["-s", address] + arguments)
            }
            // The registered command is `cat`, which ends when the test closes its stdin.
            let input = Pipe()
            let registered = Process()
            registered.executableURL = URL(fileURLWithPath: zk)
            registered.environment = ShellCommandTests.environment()
            registered.arguments = [
                "-s", address, "--timeout", "1", "register", "web", "10.1.2.3:8080", "--id", "w1",
                "--data", #"{"version":"2","weight":5}"#, "--", "cat",
            ]
            registered.standardInput = input
            registered.standardOutput = FileHandle.nullDevice
            try registered.run()
            defer { try? input.fileHandleForWriting.close() }

            try await eventually {
                try await run(["services", "web"]).text == "w1\t10.1.2.3:8080\tversion=2,weight=5\n"
            }
            #expect(try await run(["services"]).text == "web\n")
            let json = try await run(["services", "web", "--json"])
            let instances = try JSONSerialization.jsonObject(with: Data(json.stdout)) as! [[String: Any]]
            #expect(instances.count == 1)
            #expect(instances.first?["id"] as? String == "w1")
            #expect(instances.first?["port"] as? Int == 8080)
            #expect(instances.first?["payload"] as? [String: String] == ["version": "2", "weight": "5"])

            // The process dies without a word: its instance goes when the session times out.
            kill(registered.processIdentifier, SIGKILL)
            await ChildProcess.waitUntilExit(registered)
            try await eventually { try await run(["services", "web"]).text == "" }
            #expect(try await run(["services", "web"]).status == 0)
        }
    }

    @Test func theInstanceIsRegisteredWhileTheCommandRunsAndZkExitsWithItsStatus() async throws {
        try await ZooKeeperServer.withServer { server in
            let zk = ServeCommandTests.zk.path
            let result = try await ShellCommandTests.zk([
                "-s", server.connectString, "register", "jobs", "[::1]:99", "--id", "j", "--", "sh", "-c",
                "'\(zk)' -s \(server.connectString) services jobs; exit 3",
            ])
            #expect(result.status == 3)
            #expect(result.text == "j\t[::1]:99\n")
            let after = try await ShellCommandTests.zk(["-s", server.connectString, "services", "jobs"])
            #expect(after.text == "")
            // Bad endpoints and metadata are usage errors.
            for bad in [
                ["web", "host:99999"], ["web", "host:1", "--data", "[1]"], ["web", "host:"], ["web", ":80"],
            ] {
                let refused = try await ShellCommandTests.zk(
                    ["-s", server.connectString, "register"] + bad + ["--", "true"])
                #expect(refused.status == 64)
                #expect(refused.errorText.hasPrefix("zk: "))
            }
        }
    }

    @Test func servicesWatchPrintsInstancesAsTheyComeAndGo() async throws {
        try await ZooKeeperServer.withServer { server in
            func follow(_ arguments: [String]) throws -> (Process, Printed) {
                let watcher = Process()
                watcher.executableURL = ServeCommandTests.zk
                watcher.environment = ShellCommandTests.environment()
                watcher.arguments = ["-s", server.connectString, "services", "web", "--watch"] + arguments
                let output = Pipe()
                watcher.standardOutput = output
                let printed = Printed()
                output.fileHandleForReading.readabilityHandler = { handle in
                    let data = handle.availableData
                    // At the end of the output, stop reading (or the handler is called forever).
                    if data.isEmpty { handle.readabilityHandler = nil } else { printed.append(data) }
                }
                try watcher.run()
                return (watcher, printed)
            }
            let (watcher, printed) = try follow([])
            let (jsonWatcher, jsonPrinted) = try follow(["--json"])
            defer {
                watcher.terminate()
                jsonWatcher.terminate()
            }
            // JSON Lines: one array of instance ids per snapshot.
            func snapshots() -> [[String]] {
                jsonPrinted.text.split(separator: "\n").map { line in
                    let array = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [[String: Any]]
                    return array?.map { $0["id"] as? String ?? "?" } ?? ["unreadable"]
                }
            }
            try await eventually { snapshots() == [[]] }
            let client = try await ZooKeeperClient.connect(server.connectString)
            let registry = ServiceRegistry(client: client)
            let a = try await registry.register(ServiceInstance(name: "web", address: "10.0.0.1", port: 80, id: "a"))
            try await eventually { printed.text == "+ a\t10.0.0.1:80\n" && snapshots() == [[], ["a"]] }
            let b = try await registry.register(ServiceInstance(name: "web", address: "10.0.0.2", id: "b"))
            try await eventually {
                printed.text == "+ a\t10.0.0.1:80\n+ b\t10.0.0.2\n" && snapshots() == [[], ["a"], ["a", "b"]]
            }
            try await a.unregister()
            try await eventually {
                printed.text == "+ a\t10.0.0.1:80\n+ b\t10.0.0.2\n- a\t10.0.0.1:80\n"
                    && snapshots() == [[], ["a"], ["a", "b"], ["b"]]
            }
            try await b.unregister()
            try await client.close()
            for process in [watcher, jsonWatcher] {
                process.terminate()
                await ChildProcess.waitUntilExit(process)
            }
        }
    }
}

/// What a process has printed so far.
final class Printed: Sendable {
    private let bytes = Mutex<[UInt8]>([])
    func append(_ data: Data) { bytes.withLock { $0 += Array(data) } }
    var text: String { String(decoding: bytes.withLock { $0 }, as: UTF8.self) }
}
