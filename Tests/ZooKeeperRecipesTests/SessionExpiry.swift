import Foundation
import ZooKeeper
import ZooKeeperServer
import ZooKeeperTestSupport

extension Target {
    /// Runs `body` with a client connected through a proxy (with a short session timeout), a way to
    /// open other sessions directly, and a fresh root path; `expire` cuts the proxied client off
    /// until the server has expired its session (`gone` tells when, e.g. an ephemeral vanished),
    /// then lets it reconnect. The proxy itself is there for shorter outages.
    func runExpiring(
        _ body: (
            _ proxied: ZooKeeperClient, _ connect: @escaping @Sendable () async throws -> ZooKeeperClient,
            _ root: String,
            _ expire: @escaping @Sendable (_ gone: @Sendable () async throws -> Bool) async throws -> Void,
            _ proxy: TCPProxy
        ) async throws -> Void
    ) async throws {
        let root = "/recipes-\(UUID().uuidString.prefix(8))"
        let opened = OpenedClients()
        func run(_ address: String) async throws {
            let upstreamPort = Int(address.split(separator: ":").last!)!
            let proxy = try await TCPProxy.start(upstreamPort: upstreamPort)
            defer { proxy.stop() }
            var configuration = ZooKeeperClient.Configuration()
            // As short as both servers allow (4 s: 20 ticks of the embedded server's 200 ms, 2 of
            // Apache's 2 s), and no shorter: a busy machine must not expire it before `expire`.
            configuration.sessionTimeout = .seconds(4)
            configuration.connectTimeout = .seconds(20)
            let proxied = try await ZooKeeperClient.connect("127.0.0.1:\(proxy.port)", configuration: configuration)
            opened.append(proxied)
            let connect = Self.connecting(address, opened)
            do {
                let expire: @Sendable (_ gone: @Sendable () async throws -> Bool) async throws -> Void = { gone in
                    proxy.block()
                    do {
                        try await eventually(within: .seconds(30), gone)
                    } catch {
                        proxy.unblock()
                        throw error
                    }
                    proxy.unblock()
                }
                try await body(proxied, connect, root, expire, proxy)
            } catch {
                await opened.closeAll()
                throw error
            }
            await opened.closeAll()
        }
        switch self {
        case .embedded:
            var configuration = ZooKeeperServer.Configuration(port: 0)
            configuration.tickTime = .milliseconds(200)
            configuration.maxSessionTimeout = .seconds(60)  // the other clients keep their 10 s
            try await ZooKeeperServer.withServer(configuration: configuration) { server in
                try await run(server.connectString)
            }
        case .apache:
            try await run(try await SharedApacheZooKeeper.connectString())
        }
    }
}
