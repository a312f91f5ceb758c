extension ApacheZooKeeper {
    /// Runs `body` with an Apache ZooKeeper that also serves TLS (Netty) on its second port
    /// (`secureClientPort`, passed to `body`), with `certificates`' server certificate, client
    /// certificates from their CA wanted (`clientAuth`: `want` or `need`) and the
    /// X509AuthenticationProvider, so a client certificate's subject is an `x509` identity.
    public static func withSecurePort<T>(
        _ certificates: TestCertificates, clientAuth: String = "want",
        _ body: (ApacheZooKeeper, Int) async throws -> T
    ) async throws -> T {
        let securePort = try freePort()
        let stores = [
            "ssl.keyStore.location=\(certificates.path("server-keystore.pem"))", "ssl.keyStore.type=PEM",
            "ssl.trustStore.location=\(certificates.path("ca.pem"))", "ssl.trustStore.type=PEM",
        ]
        let config =
            [
                "secureClientPort=\(securePort)", "secureClientPortAddress=127.0.0.1",
                "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory", "ssl.clientAuth=\(clientAuth)",
            ] + stores
        // The x509 provider reads its stores from system properties.
        let properties =
            ["-Dzookeeper.authProvider.x509=org.apache.zookeeper.server.auth.X509AuthenticationProvider"]
            + stores.map { "-Dzookeeper.\($0)" }
        return try await with(tickTime: 2000, extraProperties: properties, extraConfig: config) { cluster in
            try await body(cluster, securePort)
        }
    }
}
