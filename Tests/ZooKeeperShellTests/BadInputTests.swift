import Foundation
import Testing
import ZooKeeper
import ZooKeeperServer
import ZooKeeperTestSupport

/// Bad input to `zk`: each case ends with its documented exit status, nothing on stdout, a
/// one-line `zk: ...` error on stderr (usage errors name the help to read), and no node written.
@Suite(.timeLimit(.minutes(3))) struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var arguments: [String]
        var input: [UInt8] = []
        /// Written to a temporary file that replaces `@FILE` in the arguments.
        var file: [UInt8]? = nil
        var status: Int32
        /// The start of stderr's first line; nil for a silent status.
        var error: String?
        /// A node the command must not have created or changed.
        var untouched: String?
        var testDescription: String { name }
    }

    static let tooBig = [UInt8](repeating: 0x61, count: 1_100_000)

    static let cases: [Case] = [
        Case(
            name: "unknown global flag", arguments: ["--bogus", "ls", "/"], status: 64,
            error: "zk: Unknown option '--bogus'"),
        Case(
            name: "unknown command flag", arguments: ["get", "-q", "/"], status: 64, error: "zk: Unknown option '-q'"
        ),
        Case(name: "missing argument", arguments: ["set", "/"], status: 64, error: "zk: Missing expected argument"),
        Case(
            name: "bad number", arguments: ["set", "-v", "one", "/existing", "x"], status: 64,
            error: "zk: The value 'one' is invalid", untouched: "/existing"),
        Case(
            name: "control character in path", arguments: ["create", "/bad\u{1}path"], status: 64,
            error: "zk: BadArguments: invalid character U+1 in path"),
        Case(
            name: "non-UTF-8 path (decoded as U+FFFD)",
            arguments: ["create", String(decoding: [0x2f, 0x61, 0xff, 0xfe], as: UTF8.self)],
            status: 64, error: "zk: BadArguments: invalid character U+FFFD in path"),
        Case(name: "reserved path", arguments: ["delete", "/zookeeper"], status: 64, error: "zk: BadArguments:"),
        Case(
            name: "no parent", arguments: ["create", "/missing/child"], status: 2, error: "zk: NoNode:",
            untouched: "/missing"),
        Case(
            name: "data above jute.maxbuffer from stdin", arguments: ["create", "/big", "-"], input: tooBig, status: 64,
            error: "zk: BadArguments: request of 1100", untouched: "/big"),
        Case(
            name: "data above jute.maxbuffer from a file", arguments: ["set", "/existing", "@FILE"], file: tooBig,
            status: 64,
            error: "zk: BadArguments: request of 1100", untouched: "/existing"),
        Case(
            name: "unreadable data file", arguments: ["create", "/fromfile", "@/nonexistent/data"], status: 1,
            error: "zk: cannot read /nonexistent/data: No such file or directory", untouched: "/fromfile"),
        Case(
            name: "a directory as data file", arguments: ["create", "/fromfile", "@/tmp"], status: 1,
            error: "zk: cannot read /tmp: Is a directory", untouched: "/fromfile"),
        Case(
            name: "unreadable script", arguments: ["-f", "/nonexistent/script.zk"], status: 64,
            error: "zk: cannot read /nonexistent/script.zk: No such file or directory"),
        Case(
            name: "unclosed quote in -c", arguments: ["-c", "set /existing 'a;b"], status: 64,
            error: "zk: unclosed quote in: set /existing 'a;b", untouched: "/existing"),
        Case(
            name: "zkCli's -client-configuration, not supported",
            arguments: ["-client-configuration", "zk.properties", "ls", "/"], status: 64,
            error: "zk: Unknown option '-client-configuration'"),
        Case(
            name: "typo of a command", arguments: ["lss", "/"], status: 64,
            error: "zk: unknown command 'lss'; did you mean 'ls'?"),
        Case(
            name: "command in the wrong case", arguments: ["getacl", "/"], status: 64,
            error: "zk: unknown command 'getacl'; did you mean 'getAcl'?"),
        Case(name: "help on no such command", arguments: ["help", "nosuch"], status: 64, error: "zk: unknown command"),
        Case(
            name: "cd run once", arguments: ["cd", "/existing"], status: 64,
            error: "zk: cd works in the interactive shell or a script only"),
        Case(
            name: "printwatches run once", arguments: ["printwatches", "off"], status: 64,
            error: "zk: printwatches works in the interactive shell or a script only"),
        Case(
            name: "history run once", arguments: ["history"], status: 64,
            error: "zk: history works in the interactive shell only"),
        Case(
            name: "config of a standalone server", arguments: ["config"], status: 1,
            error: "zk: the server has no dynamic configuration"),
        Case(
            name: "a four-letter word the server refuses", arguments: ["4lw", "dump"], status: 1,
            error: "zk: 127.0.0.1:"),
        Case(
            name: "-b of deleteall is a positive batch size",
            arguments: ["deleteall", "--force", "-b", "0", "/existing"], status: 64,
            error: "zk: -b takes a positive batch size", untouched: "/existing"),
        Case(
            name: "--parents in a txn", arguments: ["txn", "create --parents /a/b"], status: 64,
            error: "zk: cannot read operation 'create --parents /a/b': --parents does not go in a txn"),
        Case(
            name: "a bad create flag in a txn", arguments: ["txn", "create -q /a"], status: 64,
            error: "zk: cannot read operation 'create -q /a': Unknown option '-q'"),
        Case(
            name: "bad ACL", arguments: ["create", "/acl", "x", "bogus:acl"], status: 64,
            error: "zk: bad ACL entry 'bogus:acl'",
            untouched: "/acl"),
        Case(
            name: "malformed --auth", arguments: ["--auth", "nocolon", "ls", "/"], status: 64,
            error: "zk: --auth takes scheme:secret"),
        Case(
            name: "unknown auth scheme", arguments: ["--auth", "nosuch:x", "ls", "/"], status: 6,
            error: "zk: AuthFailed:"),
        Case(
            name: "wrong password", arguments: ["--auth", "digest:alice:wrong", "set", "/secret", "stolen"], status: 6,
            error: "zk: NoAuth:", untouched: "/secret"),
        Case(
            name: "bad version", arguments: ["set", "-v", "7", "/existing", "x"], status: 4, error: "zk: BadVersion:",
            untouched: "/existing"),
        Case(
            name: "missing node is a silent status for exists", arguments: ["exists", "/nope"], status: 2, error: nil),
    ]

    @Test(arguments: cases)
    func badInputFailsCleanly(_ badInput: Case) async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("zk-input-\(UUID().uuidString)")
        if let contents = badInput.file { try Data(contents).write(to: file) }
        defer { try? FileManager.default.removeItem(at: file) }
        let arguments = badInput.arguments.map { $0 == "@FILE" ? "@" + file.path : $0 }
        try await ZooKeeperServer.withServer { server in
            var configuration = ZooKeeperClient.Configuration()
            configuration.authentication = [.digest(user: "alice", password: "pw")]
            let zk = try await ZooKeeperClient.connect(server.connectString, configuration: configuration)
            try await zk.create("/existing", data: Array("kept".utf8))
            try await zk.create(
                "/secret", data: Array("kept".utf8),
                acl: [
                    .digest(user: "alice", password: "pw", permissions: [.read, .write]),
                    ACL(permissions: .read, id: .anyone),
                ])
            let before = try await badInput.untouched.asyncMap { try await zk.exists($0) }

            let result = try await ShellCommandTests.zk(
                ["-s", server.connectString] + arguments, input: badInput.input)
            #expect(result.status == badInput.status, "stderr: \(result.errorText)")
            #expect(result.stdout.isEmpty, "stdout: \(result.text)")
            let lines = result.errorText.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            if let error = badInput.error {
                #expect(lines.first?.hasPrefix(error) == true, "stderr: \(result.errorText)")
                if error.hasPrefix("zk: ") { #expect(lines.count == 1, "stderr: \(result.errorText)") }
            } else {
                #expect(lines.isEmpty, "stderr: \(result.errorText)")
            }
            // Nothing was written.
            if let path = badInput.untouched {
                let after = try await zk.exists(path)
                #expect(after == before ?? nil, "\(path) changed")
                if after != nil { #expect(try await zk.getData(path).data == Array("kept".utf8)) }
            }
            try await zk.close()
        }
    }

    /// A $ZK_CONNECT_TIMEOUT that is not a positive number is bad input, named as such.
    @Test func aBadConnectTimeoutVariableIsBadInput() async throws {
        try await ZooKeeperServer.withServer(configuration: .init(port: 0)) { server in
            // The direct way too (get), although the server would answer it.
            for (value, command) in [("soon", "ls"), ("0", "get"), ("-3", "create"), ("inf", "get")] {
                let result = try await ShellCommandTests.zk(
                    ["-s", server.connectString, command, "/x"], environment: ["ZK_CONNECT_TIMEOUT": value])
                #expect(result.status == 64, "\(value)")
                #expect(result.stdout.isEmpty)
                #expect(
                    result.errorText.contains(
                        "$ZK_CONNECT_TIMEOUT must be a positive number of seconds, got '\(value)'"),
                    "\(result.errorText)")
            }
        }
    }

    @Test func anUnreachableServerIsOneConnectionError() async throws {
        let port = try freePort()
        let result = try await ShellCommandTests.zk(["-s", "127.0.0.1:\(port)", "--connect-timeout", "1", "ls", "/"])
        #expect(result.status == 7)
        #expect(result.stdout.isEmpty)
        #expect(result.errorText == "zk: cannot connect to 127.0.0.1:\(port): connection refused\n")
    }
}

extension Optional {
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
