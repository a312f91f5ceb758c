import Logging
import NIOConcurrencyHelpers
import Testing
import ZooKeeper
import ZooKeeperTestSupport

/// The client never writes credentials to its log, at any level, whatever happens to the session.
@Suite(.timeLimit(.minutes(3))) struct CredentialLoggingTests {
    /// Keeps every log record as text: label, level, message, metadata and source.
    final class Capture: Sendable {
        private let lines = NIOLockedValueBox<[String]>([])
        var text: [String] { lines.withLockedValue { $0 } }
        func append(_ line: String) { lines.withLockedValue { $0.append(line) } }

        func logger(_ label: String) -> Logger {
            var logger = Logger(label: label) { label in Handler(label: label, capture: self) }
            logger.logLevel = .trace
            return logger
        }
    }

    struct Handler: LogHandler {
        let label: String
        let capture: Capture
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append(
                "\(label) \(event.level) \(event.message) \(all) \(event.source) \(event.file):\(event.line)")
        }
    }

    @Test func passwordsNeverReachTheLog() async throws {
        let secrets = ["S3cr3t-Passw0rd", "An0ther-Secr3t", "Th1rd-S3cret"]
        let capture = Capture()
        try await SharedApacheZooKeeper.withClient { _, root, _ in
            let upstream = try await SharedApacheZooKeeper.connectString()
            let proxy = try await TCPProxy.start(upstreamPort: Int(upstream.split(separator: ":").last!)!)
            defer { proxy.stop() }
            var configuration = SharedApacheZooKeeper.configuration(sessionTimeout: .seconds(6))
            configuration.authentication = [.digest(user: "alice", password: secrets[0])]
            configuration.logger = capture.logger("zookeeper.client")
            let zk = try await ZooKeeperClient.connect("127.0.0.1:\(proxy.port)\(root)", configuration: configuration)
            try await zk.addDigestAuth(user: "bob", password: secrets[1])
            try await zk.create("/private", data: [1], acl: [.digest(user: "bob", password: secrets[1])])

            // A reset: the client reconnects and sends both credentials again (the node stays
            // readable only with them).
            // Wait for the client to notice the reset and come back, not merely for `.connected`,
            // which may still be the state from before the reset.
            let states = zk.states()
            proxy.reset()
            var sawSuspended = false
            for await state in states {
                if state == .suspended { sawSuspended = true }
                if state == .connected && sawSuspended { break }
            }
            #expect(try await zk.getData("/private").data == [1])
            #expect(Set(try await zk.whoAmI().map(\.user)).isSuperset(of: ["alice", "bob"]))

            // A rejected credential ends that client's session.
            var refused = SharedApacheZooKeeper.configuration()
            refused.logger = capture.logger("zookeeper.refused")
            let other = try await ZooKeeperClient.connect(upstream, configuration: refused)
            await #expect(throws: ZooKeeperError.self) {
                try await other.addAuth(scheme: "nosuchscheme", credentials: Array("carol:\(secrets[2])".utf8))
            }
            _ = try? await other.close()
            try await zk.close()
        }
        let lines = capture.text
        #expect(lines.count > 5, "the client logged too little for this test to mean anything: \(lines)")
        for secret in secrets {
            // As text, and as the byte list a careless "\(credentials)" would print.
            let bytes = "\(Array(secret.utf8))".dropFirst().dropLast()
            let leaks = lines.filter { $0.contains(secret) || $0.contains(bytes) }
            #expect(leaks.isEmpty, "credentials in the log: \(leaks)")
        }
        print("credential logging: \(lines.count) log records at trace level, none with a password")
    }
}
