import ArgumentParser
import CMalloc
import Logging
import NIOCore
import NIOPosix
import ProcessSupport
import ZooKeeperProtocol
import ZooKeeperServer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `zk serve`: runs the embedded ZooKeeper-compatible server in the foreground until interrupted.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a single-node ZooKeeper-compatible server in the foreground.",
        discussion: """
            Logs go to stderr; the first line names the address served. Ctrl-C (SIGINT) or SIGTERM \
            stops it cleanly. Data lives in memory unless --data-dir names a directory for the \
            transaction log and snapshots, kept in Apache ZooKeeper 3.8's format (version-2/log.<zxid>, \
            version-2/snapshot.<zxid>): zk serve starts on a data directory Apache ZooKeeper wrote, \
            sessions included, and Apache ZooKeeper on one zk serve wrote. zk snapshot and zk txnlog \
            read them offline.

            --config reads a ZooKeeper zoo.cfg: clientPort, clientPortAddress, tickTime, \
            minSessionTimeout, maxSessionTimeout, maxClientCnxns, 4lw.commands.whitelist, dataDir, \
            snapCount, extendedTypesEnabled, snapshot.compression.method and \
            DigestAuthenticationProvider.superDigest (also with the zookeeper. prefix). Any other setting (an ensemble's server.N, initLimit, TLS, the \
            admin server...) is named on stderr as ignored. Options given on the command line win.
            """
    )

    @Option(
        name: .long, help: "A ZooKeeper configuration file (zoo.cfg) to read the supported settings from.",
        completion: .file(extensions: ["cfg"]))
    var config: String?

    @Option(name: .long, help: "The address to bind (default: 127.0.0.1).")
    var host: String?

    @Option(name: [.short, .long], help: "The client port (0 picks a free one; default: 2181).")
    var port: Int?

    @Option(
        name: .long, help: "The tick time in milliseconds; session timeouts are 2 to 20 ticks (default: 2000).")
    var tickTime: Int?

    @Option(name: .long, help: "The smallest session timeout in milliseconds (default: 2 ticks).")
    var minSessionTimeout: Int?

    @Option(name: .long, help: "The largest session timeout in milliseconds (default: 20 ticks).")
    var maxSessionTimeout: Int?

    @Option(name: .long, help: "Connections allowed per client address (0: no limit; default: 60).")
    var maxClientConnections: Int?

    @Option(
        name: .customLong("4lw-whitelist"),
        help: "Four-letter words answered, comma-separated ('*' for all; default: srvr).")
    var fourLetterWords: String?

    @Option(name: .long, help: "The super user's digest, user:base64(sha1(user:password)).")
    var superDigest: String?

    @Option(
        name: .long,
        help:
            "Keep a transaction log and snapshots here, in Apache ZooKeeper's format; every write is on disk before its reply."
    )
    var dataDir: String?

    @Option(name: .long, help: "Transactions between snapshots (default: 100000).")
    var snapshotEvery: Int?

    @Option(
        name: .long,
        help: "Compress snapshots: none, gz or snappy (zookeeper.snapshot.compression.method; default: none).")
    var snapshotCompression: String?

    @Option(
        name: .long,
        help: "Also serve TLS on this port (0 picks a free one), with --tls-server-cert and --tls-server-key.")
    var securePort: Int?

    @Option(
        name: .customLong("tls-server-cert"), help: "The server's PEM certificate (chain) for --secure-port.",
        completion: .file(extensions: ["pem", "crt"]))
    var tlsCertificate: String?

    @Option(
        name: .customLong("tls-server-key"), help: "The server certificate's PEM private key.",
        completion: .file(extensions: ["pem", "key"]))
    var tlsKey: String?

    @Option(
        name: .customLong("tls-client-ca"),
        help: "Verify client certificates against the CAs of this PEM file; a client's subject DN is its x509 id.",
        completion: .file(extensions: ["pem", "crt"]))
    var tlsCA: String?

    @Option(
        name: .customLong("tls-client-auth"),
        help: "With --tls-client-ca: whether clients must present a certificate (need) or may (want).",
        completion: .list(["want", "need"]))
    var tlsClientAuth = "need"

    @Option(
        name: .customLong("sasl-jaas"),
        help: "Take SASL DIGEST-MD5 logins from the users (user_NAME=\"password\") of this JAAS file.",
        completion: .file())
    var jaas: String?

    @Option(name: .customLong("sasl-jaas-section"), help: "The JAAS file's section of users.")
    var jaasSection = "Server"

    @Option(
        name: .customLong("sasl-users"), help: "Take SASL DIGEST-MD5 logins from this file of NAME:PASSWORD lines.",
        completion: .file())
    var saslUsers: String?

    @Flag(
        name: .customLong("require-sasl"),
        help: "Refuse clients not logged in with SASL (zookeeper.sessionRequireClientSASLAuth).")
    var requireSASL = false

    @Option(
        name: .long,
        help:
            "Serve the server's metrics in Prometheus text format at http://HOST:PORT/metrics (0 picks a free port), named as Apache ZooKeeper's PrometheusMetricsProvider names them."
    )
    var metricsPort: Int?

    @Flag(name: .long, help: "Allow TTL nodes (zookeeper.extendedTypesEnabled).")
    var extendedTypes = false

    @Flag(name: [.short, .long], help: "Log connections and sessions.")
    var verbose = false

    func validate() throws {
        try Self.check(port: port, tickTime: tickTime, snapshotEvery: snapshotEvery, superDigest: superDigest)
        if let snapshotCompression, Self.compression(snapshotCompression) == nil {
            throw ValidationError("--snapshot-compression takes none, gz or snappy, not '\(snapshotCompression)'")
        }
        if let min = minSessionTimeout, let max = maxSessionTimeout, min > max {
            throw ValidationError("--min-session-timeout is above --max-session-timeout")
        }
        if let metricsPort, !(0...65535).contains(metricsPort) {
            throw ValidationError("--metrics-port must be between 0 and 65535")
        }
        if let securePort, !(0...65535).contains(securePort) {
            throw ValidationError("--secure-port must be between 0 and 65535")
        }
        if (securePort == nil) != (tlsCertificate == nil) || (tlsCertificate == nil) != (tlsKey == nil) {
            throw ValidationError("--secure-port, --tls-server-cert and --tls-server-key go together")
        }
        if tlsCA != nil && securePort == nil { throw ValidationError("--tls-client-ca needs --secure-port") }
        guard ["want", "need"].contains(tlsClientAuth) else {
            throw ValidationError("--tls-client-auth is want or need")
        }
        if requireSASL && jaas == nil && saslUsers == nil {
            throw ValidationError("--require-sasl needs users: --sasl-jaas FILE or --sasl-users FILE")
        }
    }

    private static func check(port: Int?, tickTime: Int?, snapshotEvery: Int?, superDigest: String?) throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
        if let tickTime, tickTime <= 0 { throw ValidationError("--tick-time must be positive") }
        if let snapshotEvery, snapshotEvery <= 0 { throw ValidationError("--snapshot-every must be positive") }
        if let superDigest, superDigest.split(separator: ":", omittingEmptySubsequences: false).count != 2 {
            throw ValidationError("--super-digest must be user:digest")
        }
    }

    func run() async throws {
        var logger = Logger(label: "zk.serve") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = verbose ? .debug : .info
        var file = ZooConfig()
        if let config {
            switch FileDescriptorIO.readFile(config) {
            case .success(let bytes): file = try ZooConfig(String(decoding: bytes, as: UTF8.self), name: config)
            case .failure(let error): throw ShellError(error.message, status: ExitStatus.usage)
            }
            for key in file.ignored { logger.warning("\(config): ignoring \(key) (not supported by zk serve)") }
        }
        do {
            try Self.check(
                port: file.port, tickTime: file.tickTime, snapshotEvery: file.snapshotEvery,
                superDigest: file.superDigest)
        } catch let error as ValidationError {
            throw ShellError("\(config ?? ""): \(error.message)", status: ExitStatus.usage)
        }
        var configuration = ZooKeeperServer.Configuration(port: port ?? file.port ?? 2181)
        configuration.host = host ?? file.host ?? "127.0.0.1"
        configuration.tickTime = .milliseconds(tickTime ?? file.tickTime ?? 2000)
        configuration.minSessionTimeout = (minSessionTimeout ?? file.minSessionTimeout).map { .milliseconds($0) }
        configuration.maxSessionTimeout = (maxSessionTimeout ?? file.maxSessionTimeout).map { .milliseconds($0) }
        configuration.maxClientConnections = maxClientConnections ?? file.maxClientConnections ?? 60
        configuration.fourLetterWordWhitelist = Set(
            (fourLetterWords ?? file.fourLetterWords ?? "srvr").split(separator: ",").map { $0.trimmingWhitespace() })
        configuration.superDigest = superDigest ?? file.superDigest
        configuration.extendedTypesEnabled = extendedTypes || file.extendedTypes
        configuration.dataDirectory = dataDir ?? file.dataDir
        configuration.snapshotEvery = snapshotEvery ?? file.snapshotEvery ?? 100_000
        configuration.snapshotCompression =
            (snapshotCompression ?? file.snapshotCompression).flatMap(Self.compression) ?? .none
        configuration.logger = logger
        configuration.saslUsers = try saslUserList()
        configuration.requireClientSASLAuth = requireSASL
        configuration.securePort = securePort
        configuration.tls = try tlsConfiguration()
        let (host, port) = (configuration.host, configuration.port)
        let dataDir = configuration.dataDirectory
        var metrics: MetricsEndpoint?
        if let metricsPort {
            do {
                metrics = try await MetricsEndpoint.start(host: host, port: metricsPort)
            } catch {
                throw ShellError("--metrics-port: " + Self.bindFailure(error, host: host, port: metricsPort))
            }
        }
        let server: ZooKeeperServer
        do {
            server = try await ZooKeeperServer.start(configuration: configuration)
        } catch let error as DataDirectoryError {
            await metrics?.close()
            throw ShellError("cannot use --data-dir \(dataDir ?? ""): \(error)")
        } catch {
            await metrics?.close()
            throw ShellError(Self.bindFailure(error, host: host, port: port))
        }
        // The tree lies in pages of a few hundred kilobytes, copied while a snapshot is written
        // and freed once it is: given memory of their own (glibc's default moves the threshold
        // above them after the first is freed), they go back to the system then instead of
        // staying with the allocator. At 1M znodes: 263 bytes a znode, was 280. Set once the
        // tree is restored: the restore's batches of nodes, freed as soon as used, are as large
        // and cost 0.3 s of CPU more that way.
        _ = cmalloc_set_mmap_threshold(128 << 10)
        if let metrics {
            metrics.serve(server)
            logger.info("metrics at http://\(host):\(metrics.port)/metrics")
        }
        let stopLogger = logger
        let stop = SignalWatcher.stopping(on: [SIGINT, SIGTERM]) {
            stopLogger.info("stopping")
            Task { try? await server.shutdown() }
        }
        defer { stop.cancel() }
        do {
            try await server.waitUntilClosed()
            await metrics?.close()
        } catch {
            await metrics?.close()
            throw ShellError("\(error)")
        }
    }

    /// A compression method as Apache ZooKeeper names it (case ignored); nil for an unknown one.
    static func compression(_ name: String) -> SnapshotCompression? {
        name.lowercased() == "none" ? SnapshotCompression.none : SnapshotCompression(rawValue: name.lowercased())
    }

    /// The settings of a ZooKeeper configuration file (zoo.cfg) that `zk serve` supports, and
    /// the names of those it ignores.
    struct ZooConfig {
        var host: String?
        var port: Int?
        var tickTime: Int?
        var minSessionTimeout: Int?
        var maxSessionTimeout: Int?
        var maxClientConnections: Int?
        var fourLetterWords: String?
        var dataDir: String?
        var snapshotEvery: Int?
        var snapshotCompression: String?
        var extendedTypes = false
        var superDigest: String?
        /// Settings present but not supported, in file order.
        var ignored: [String] = []

        init() {}

        /// Reads `key=value` lines (Java properties as ZooKeeper writes them: `#` and `!`
        /// comments, blank lines); `name` is the file's, for errors.
        init(_ text: String, name: String) throws {
            for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = rawLine.trimmingWhitespace()
                guard !line.isEmpty, !line.hasPrefix("#"), !line.hasPrefix("!") else { continue }
                guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                    throw ShellError(
                        "\(name):\(index + 1): expected key=value, got '\(line)'", status: ExitStatus.usage)
                }
                let key = line[..<separator].trimmingWhitespace()
                let value = line[line.index(after: separator)...].trimmingWhitespace()
                func integer() throws -> Int {
                    guard let integer = Int(value) else {
                        throw ShellError(
                            "\(name):\(index + 1): \(key) takes a whole number, got '\(value)'",
                            status: ExitStatus.usage)
                    }
                    return integer
                }
                let bare = key.hasPrefix("zookeeper.") ? String(key.dropFirst("zookeeper.".count)) : key
                switch bare {
                case "clientPort": port = try integer()
                case "clientPortAddress": host = value
                case "tickTime": tickTime = try integer()
                case "minSessionTimeout": minSessionTimeout = try integer()
                case "maxSessionTimeout": maxSessionTimeout = try integer()
                case "maxClientCnxns": maxClientConnections = try integer()
                case "4lw.commands.whitelist": fourLetterWords = value
                case "dataDir": dataDir = value
                case "snapCount": snapshotEvery = try integer()
                case "snapshot.compression.method":
                    guard ServeCommand.compression(value) != nil else {
                        throw ShellError(
                            "\(name):\(index + 1): \(key) takes none, gz or snappy, got '\(value)'",
                            status: ExitStatus.usage)
                    }
                    snapshotCompression = value
                case "extendedTypesEnabled": extendedTypes = value.lowercased() == "true"
                case "DigestAuthenticationProvider.superDigest": superDigest = value
                default: ignored.append(key)
                }
            }
        }
    }

    /// Why the server could not listen on `host`:`port`, in plain words.
    static func bindFailure(_ error: any Error, host: String, port: Int) -> String {
        switch error {
        case let error as IOError where error.errnoCode == EADDRINUSE:
            "port \(port) is already in use"
        case let error as IOError where error.errnoCode == EACCES:
            "no permission to serve on port \(port) (ports below 1024 need privileges)"
        case let error as IOError where error.errnoCode == EADDRNOTAVAIL:
            "cannot serve on \(host): not an address of this machine"
        case let error as IOError:
            "cannot serve on \(host):\(port): \(String(cString: strerror(error.errnoCode)).lowercased())"
        case is SocketAddressError.UnknownHost:
            "cannot serve on \(host): host name not found"
        default:
            "cannot serve on \(host):\(port): \(error)"
        }
    }
}
