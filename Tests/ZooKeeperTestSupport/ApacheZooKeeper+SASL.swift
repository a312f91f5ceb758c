import Foundation

extension ApacheZooKeeper {
    /// The DIGEST-MD5 users of ``withSASL(size:tickTime:users:requireClientSASLAuth:extraProperties:_:)``'s servers.
    public static let saslUsers = ["alice": "alice-secret", "bob": "bob-secret"]

    /// Runs `body` with Apache ZooKeeper servers that take SASL DIGEST-MD5 logins (the
    /// `SASLAuthenticationProvider`, users from a JAAS `Server` section), and always stops them.
    /// `requireClientSASLAuth`: `zookeeper.sessionRequireClientSASLAuth=true`, so that a client
    /// without a login is refused.
    public static func withSASL<T>(
        size: Int = 1, tickTime: Int = 200, users: [String: String] = saslUsers, requireClientSASLAuth: Bool = false,
        extraProperties: [String] = [], _ body: (ApacheZooKeeper) async throws -> T
    ) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zk-jaas-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let jaas = directory.appendingPathComponent("jaas.conf")
        try jaasServerSection(users: users).write(to: jaas, atomically: true, encoding: .utf8)
        var properties = [
            "-Djava.security.auth.login.config=\(jaas.path)",
            "-Dzookeeper.authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider",
        ]
        if requireClientSASLAuth { properties.append("-Dzookeeper.sessionRequireClientSASLAuth=true") }
        return try await with(size: size, tickTime: tickTime, extraProperties: properties + extraProperties, body)
    }

    /// A JAAS file whose `Server` section lists `users` for DIGEST-MD5.
    public static func jaasServerSection(users: [String: String]) -> String {
        let entries = users.sorted { $0.key < $1.key }.map { "  user_\($0.key)=\"\($0.value)\"" }
        return """
            Server {
              org.apache.zookeeper.server.auth.DigestLoginModule required
            \(entries.joined(separator: "\n"));
            };

            """
    }
}
