import Foundation
import Testing
import ZooKeeper
import ZooKeeperServer
import ZooKeeperTestSupport

@testable import ZooKeeperShell

/// The one-shot reads that skip the argument parser and the full client (`DirectCommand` on a
/// `DirectSession`): which command lines take that path, and that what they print, and their
/// exit statuses, are exactly those of the full commands.
@Suite(.timeLimit(.minutes(3))) struct DirectReadTests {
    /// The command a line takes the direct path as, after zk's own -s/-c/-f expansion.
    static func direct(_ arguments: [String], environment: [String: String] = [:]) -> DirectCommand? {
        DirectCommand(arguments: GlobalOptions.expandingShorthands(arguments), environment: { environment[$0] })
    }

    @Test func plainReadsTakeTheDirectPath() throws {
        let get = try #require(Self.direct(["get", "/x"]))
        #expect(get.read == .get(withStat: false, base64: false, hex: false))
        #expect(get.node == "/x" && !get.json)
        #expect(get.server == (try ConnectString("127.0.0.1:2181")))
        #expect(Self.direct(["-s", "h:1", "get", "-sb", "/x"])?.read == .get(withStat: true, base64: true, hex: false))
        #expect(Self.direct(["get", "/x", "--hex"])?.read == .get(withStat: false, base64: false, hex: true))
        #expect(Self.direct(["-sh:1", "get", "/x"])?.server == (try ConnectString("h:1")))
        #expect(Self.direct(["--server=h:1/app", "stat", "/x"])?.server.chroot == "/app")
        #expect(Self.direct(["get", "/x", "--server", "h:2"])?.server == (try ConnectString("h:2")))
        let list = try #require(Self.direct(["--json", "ls"]))
        #expect(list.read == .list(withStat: false) && list.node == "/" && list.json)
        #expect(Self.direct(["ls", "-s", "a/./b/../c"])?.node == "/a/c")
        #expect(Self.direct(["stat", "/x"])?.read == .stat)
        #expect(
            Self.direct(["exists", "/x"], environment: ["ZK_SERVER": "10.0.0.1:2181"])?.server
                == (try ConnectString("10.0.0.1:2181")))
        #expect(
            Self.direct(["exists", "/x"], environment: ["ZOOKEEPER_CONNECT": "h:3"])?.server
                == (try ConnectString("h:3")))
    }

    /// Anything else goes through the argument parser and the full client, which then report
    /// usage errors, retry, authenticate or watch as always.
    @Test(arguments: [
        ["get", "-w", "/x"], ["get", "/x", "/y"], ["get"], ["ls", "-R", "/"], ["get", "--help"], ["get", "-h"],
        ["--embedded", "get", "/x"], ["--auth", "digest:a:b", "get", "/x"], ["--timeout", "30", "get", "/x"],
        ["--tls", "get", "/x"], ["--sasl", "DIGEST-MD5", "get", "/x"], ["--sasl-user", "alice", "get", "/x"],
        ["--jaas", "jaas.conf", "get", "/x"], ["get", "-s", "-s", "/x"], ["get", "-b", "--base64", "/x"],
        ["--json", "--json", "ls"],
        ["-s", "a:1", "get", "/x", "--server", "b:1"], ["set", "/x", "1"], ["stat", "-w", "/x"],
        ["exists", "-s", "/x"],
        ["-s", "h:notaport", "get", "/x"], ["-s", "h:1/bad//chroot", "get", "/x"], ["get", "--", "/x"],
        ["-c", "get /x"], ["version"], [],
    ])
    func otherCommandLinesGoTheLongWay(arguments: [String]) {
        #expect(Self.direct(arguments) == nil)
    }

    @Test(arguments: ConnectionEnvironment.securing)
    func credentialsOrTLSInTheEnvironmentGoTheLongWay(variable: String) {
        #expect(Self.direct(["get", "/x"], environment: [variable: "0"]) == nil)
        #expect(Self.direct(["get", "/x"], environment: ["ZK_SERVER_X": "0"]) != nil)
    }

    /// Every variable the connection options' help names is one the direct path knows: one that
    /// forces the full client, or one of those that only say where to connect (or the SASL
    /// password, read only for a login another variable asks for).
    @Test func everyConnectionVariableIsKnownToTheDirectPath() throws {
        let help = GlobalOptions.helpMessage(columns: 1000)
        let named = Set(help.matches(of: /\$([A-Z][A-Z0-9_]*)/).map { String($0.output.1) })
        #expect(named.contains(ConnectionEnvironment.tls) && named.contains(ConnectionEnvironment.server))
        let harmless = [
            ConnectionEnvironment.server, ConnectionEnvironment.connect, ConnectionEnvironment.saslPassword,
            // Only how long the full client waits: the direct attempt has its own patience and
            // hands over to the full client.
            ConnectionEnvironment.connectTimeout,
        ]
        for variable in named {
            #expect(
                ConnectionEnvironment.securing.contains(variable) || harmless.contains(variable),
                "$\(variable) is in the help but not in ConnectionEnvironment")
        }
    }

    /// The flags the direct path takes are the parser's own: for each direct read, every flag
    /// argument-parser defines for the command is either taken under all its spellings (short and
    /// long) or sends the line the long way under each of them.
    @Test(arguments: ["get", "ls", "stat", "exists"])
    func directFlagsAreTheParsersFlags(command: String) throws {
        let accepted = try #require(DirectCommand.flags(of: command))
        let acceptedSpellings = accepted.short.map { "-\($0)" } + accepted.long
        var defined: [String] = []
        for spellings in try Self.flagSpellings(of: command) {
            defined += spellings
            let taken = spellings.filter(acceptedSpellings.contains)
            #expect(taken.isEmpty || taken == spellings, "\(command): \(taken) taken but not all of \(spellings)")
            for spelling in spellings {
                let line = [command, spelling, "/x"]
                #expect((Self.direct(line) != nil) == !taken.isEmpty, "\(line)")
            }
        }
        for spelling in acceptedSpellings {
            #expect(defined.contains(spelling), "\(command) \(spelling) is not a flag of the command")
        }
    }

    /// The spellings of each flag (not option) the command defines itself, from argument-parser's
    /// description of it (`zk COMMAND --experimental-dump-help`), without those of zk's own (the
    /// connection and output options and help, which every command shares).
    static func flagSpellings(of command: String) throws -> [[String]] {
        let shared = try allFlagSpellings([]).flatMap { $0 }
        return try allFlagSpellings([command]).filter { !$0.contains(where: shared.contains) }
    }

    private static func allFlagSpellings(_ command: [String]) throws -> [[String]] {
        let dump: String
        do {
            _ = try ZKCommand.parseAsRoot(command + ["--experimental-dump-help"])
            dump = ""
        } catch {
            dump = ZKCommand.fullMessage(for: error)
        }
        let root = try #require(try JSONSerialization.jsonObject(with: Data(dump.utf8)) as? [String: Any])
        let arguments = try #require((root["command"] as? [String: Any])?["arguments"] as? [[String: Any]])
        return arguments.compactMap { argument in
            guard argument["kind"] as? String == "flag" else { return nil }
            return (argument["names"] as? [[String: Any]] ?? []).compactMap { name -> String? in
                guard let kind = name["kind"] as? String, let text = name["name"] as? String else { return nil }
                return (kind == "long" ? "--" : "-") + text
            }
        }
    }

    /// In process, with the output on pipes: the direct path itself answers, reads and reports.
    @Test func theDirectPathAnswersInProcess() async throws {
        try await ZooKeeperServer.withServer(configuration: .init(port: 0)) { server in
            let admin = try await ZooKeeperClient.connect(server.connectString)
            try await admin.create("/app")
            try await admin.create("/app/node", data: Array("hello".utf8))
            try await admin.close()
            func run(_ arguments: [String]) throws -> (status: Int32?, stdout: String, stderr: String) {
                let command = try #require(Self.direct(["-s", server.connectString + "/app"] + arguments))
                return try Self.capturing { command.run(output: $0) }
            }
            var result = try run(["get", "/node"])
            #expect(result.status == 0 && result.stdout == "hello" && result.stderr == "")
            result = try run(["ls", "/"])
            #expect(result.status == 0 && result.stdout == "[node]\n")
            result = try run(["get", "/missing"])
            #expect(result.status == 2 && result.stdout == "")
            #expect(result.stderr == "zk: NoNode: node does not exist: /missing\n")
            result = try run(["exists", "/missing"])
            #expect(result.status == 2 && result.stdout == "" && result.stderr == "")
            // No server there: nothing is printed, and the full client takes over.
            let closed = try #require(Self.direct(["-s", "127.0.0.1:1", "get", "/x"]))
            result = try Self.capturing { closed.run(output: $0) }
            #expect(result.status == nil && result.stdout == "" && result.stderr == "")
        }
    }

    /// Runs `body` with an output whose stdout and stderr are pipes; what it returned and wrote.
    static func capturing(_ body: (Output) -> Int32?) throws -> (status: Int32?, stdout: String, stderr: String) {
        let out = Pipe()
        let err = Pipe()
        let status = body(
            Output(
                separatesData: false, standardOutput: out.fileHandleForWriting.fileDescriptor,
                standardError: err.fileHandleForWriting.fileDescriptor))
        try out.fileHandleForWriting.close()
        try err.fileHandleForWriting.close()
        return (
            status, String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
            String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        )
    }

    /// The same reads through both paths, as processes, against our server and Apache ZooKeeper
    /// (under a chroot there): `--timeout 30` (the default) sends a command line the long way.
    @Test(arguments: ShellTarget.allCases)
    func bothPathsPrintTheSame(target: ShellTarget) async throws {
        try await target.withConnectString { address in
            func zk(_ arguments: [String], input: [UInt8] = []) async throws -> ShellCommandTests.Result {
                try await ShellCommandTests.zk(["-s", address] + arguments, input: input)
            }
            #expect(try await zk(["create", "/d", "-"], input: Array("hello\nworld\u{1}\u{ff}".utf8)).status == 0)
            #expect(try await zk(["create", "/d/empty"]).status == 0)
            #expect(try await zk(["create", "/d/locked", "x"]).status == 0)
            #expect(try await zk(["setAcl", "/d/locked", "world:anyone:c"]).status == 0)
            let reads: [[String]] = [
                ["get", "/d"], ["get", "-s", "/d"], ["get", "-b", "/d"], ["get", "-x", "/d"], ["get", "--json", "/d"],
                ["--json", "get", "-s", "/d"], ["get", "d"], ["get", "/d/../d/./empty"], ["get", "/d/empty"],
                ["ls", "/d"], ["ls", "-s", "/d"], ["ls", "--json", "/d"], ["ls"], ["stat", "/d"],
                ["stat", "--json", "/d"],
                ["exists", "/d"], ["exists", "/missing"], ["exists", "--json", "/missing"], ["get", "/missing"],
                ["ls", "/missing"], ["stat", "/missing"], ["get", "/d/locked"], ["ls", "-s", "/d/locked"],
            ]
            for read in reads {
                let direct = try await zk(read)
                let long = try await zk(["--timeout", "30"] + read)
                #expect(direct.status == long.status, "\(read)")
                #expect(direct.text == long.text, "\(read)")
                #expect(direct.errorText == long.errorText, "\(read)")
            }
            // Spot checks that the two did not agree on something wrong.
            #expect(try await zk(["get", "/d"]).stdout == Array("hello\nworld\u{1}\u{ff}".utf8))
            #expect(try await zk(["get", "/d/locked"]).status == 6)
            #expect(try await zk(["ls", "/d"]).text == "[empty, locked]\n")
        }
    }

    /// A server that accepts the connection and says nothing: the direct attempt gives up
    /// (after `DirectSession.patience`) and the full client reports it as before.
    @Test func aSilentServerIsReportedByTheFullClient() async throws {
        let server = try SilentServer()
        defer { withExtendedLifetime(server) {} }
        let result = try await ShellCommandTests.zk(["-s", "127.0.0.1:\(server.port)", "get", "/x"], patient: false)
        #expect(result.status == 7)
        #expect(result.stdout.isEmpty)
        #expect(result.errorText == "zk: cannot connect to 127.0.0.1:\(server.port): no answer within 5 s\n")
        // $ZK_CONNECT_TIMEOUT sets the default; the flag wins over it.
        let fromEnvironment = try await ShellCommandTests.zk(
            ["-s", "127.0.0.1:\(server.port)", "get", "/x"], environment: ["ZK_CONNECT_TIMEOUT": "2"])
        #expect(fromEnvironment.errorText == "zk: cannot connect to 127.0.0.1:\(server.port): no answer within 2 s\n")
        let flagFirst = try await ShellCommandTests.zk(
            ["-s", "127.0.0.1:\(server.port)", "--connect-timeout", "1", "get", "/x"],
            environment: ["ZK_CONNECT_TIMEOUT": "30"])
        #expect(flagFirst.errorText == "zk: cannot connect to 127.0.0.1:\(server.port): no answer within 1 s\n")
    }

    /// With no server answering, the full client's report is unchanged (the direct attempt
    /// adds nothing to it).
    @Test func anUnreachableServerIsReportedAsBefore() async throws {
        let result = try await ShellCommandTests.zk(["-s", "127.0.0.1:1", "--connect-timeout", "1", "get", "/x"])
        let direct = try await ShellCommandTests.zk(["-s", "127.0.0.1:1", "get", "/x"])
        #expect(result.status == 7 && direct.status == 7)
        #expect(direct.errorText == "zk: cannot connect to 127.0.0.1:1: connection refused\n")
        #expect(direct.errorText == result.errorText)
        #expect(direct.stdout.isEmpty)
    }
}
