import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A throwaway MIT Kerberos KDC on loopback (Debian's krb5-kdc, krb5-admin-server, krb5-user),
/// in a temporary directory with its own krb5.conf, realm and principals: `zookeeper/localhost`
/// (keytab ``serviceKeytab``) and a user (keytab ``userKeytab``). A watchdog shell kills the KDC
/// if the test process exits first.
public final class KerberosKDC: Sendable {
    public static let realm = "ZK.TEST"
    /// The user principal, with password ``userPassword``.
    public static let user = "alice@ZK.TEST"
    public static let userPassword = "alice-kerberos"
    /// The ZooKeeper server's principal.
    public static let service = "zookeeper/localhost@ZK.TEST"

    public let directory: URL
    private let process: Process

    /// The krb5.conf clients and servers must use (`KRB5_CONFIG`, `-Djava.security.krb5.conf`).
    public var configFile: String { directory.appendingPathComponent("krb5.conf").path }
    public var serviceKeytab: String { directory.appendingPathComponent("zookeeper.keytab").path }
    public var userKeytab: String { directory.appendingPathComponent("alice.keytab").path }

    /// The environment of a Kerberos client of this realm, with its ticket cache `cache`.
    public func environment(cache: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["KRB5_CONFIG"] = configFile
        environment["KRB5CCNAME"] = "FILE:" + directory.appendingPathComponent(cache).path
        return environment
    }

    private init(directory: URL, process: Process) {
        self.directory = directory
        self.process = process
    }

    /// Makes the realm, its principals and keytabs, and starts the KDC.
    public static func start() async throws -> KerberosKDC {
        try Prerequisite.kerberos()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zk-kdc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let port = try freePort()
        let path = directory.path
        try """
        [libdefaults]
          default_realm = \(realm)
          dns_lookup_realm = false
          dns_lookup_kdc = false
          rdns = false
          ignore_acceptor_hostname = false
          udp_preference_limit = 1
        [realms]
          \(realm) = {
            kdc = 127.0.0.1:\(port)
          }
        [domain_realm]
          localhost = \(realm)

        """.write(toFile: "\(path)/krb5.conf", atomically: true, encoding: .utf8)
        try """
        [kdcdefaults]
          kdc_ports = \(port)
          kdc_tcp_ports = \(port)
        [realms]
          \(realm) = {
            database_name = \(path)/principal
            key_stash_file = \(path)/stash
            acl_file = \(path)/kadm5.acl
            supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
          }
        [logging]
          kdc = FILE:\(path)/kdc.log

        """.write(toFile: "\(path)/kdc.conf", atomically: true, encoding: .utf8)
        let setup = """
            set -e
            export KRB5_CONFIG='\(path)/krb5.conf' KRB5_KDC_PROFILE='\(path)/kdc.conf'
            kdb5_util create -s -r \(realm) -P master-password >/dev/null
            kadmin.local -q 'addprinc -randkey \(service)' >/dev/null
            kadmin.local -q 'ktadd -k \(path)/zookeeper.keytab \(service)' >/dev/null
            kadmin.local -q 'addprinc -pw \(userPassword) \(user)' >/dev/null
            kadmin.local -q 'ktadd -norandkey -k \(path)/alice.keytab \(user)' >/dev/null
            """
        let made = try await ChildProcess.run("/bin/sh", ["-c", setup])
        guard made.status == 0 else {
            try? FileManager.default.removeItem(at: directory)
            throw ApacheZooKeeperError.didNotStart("the Kerberos realm could not be made: \(made.errorText)")
        }
        // The watchdog ends the KDC when the test process goes away.
        let process = try Watchdog.launch(
            "KRB5_CONFIG='\(path)/krb5.conf' KRB5_KDC_PROFILE='\(path)/kdc.conf' /usr/sbin/krb5kdc -n > '\(path)/kdc.out' 2>&1",
            leftovers: path)
        let kdc = KerberosKDC(directory: directory, process: process)
        // Serving once kinit with the user's keytab gets a ticket.
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if try await kdc.kinit(cache: "probe").status == 0 { return kdc }
            try await Task.sleep(for: .milliseconds(200))
        }
        await kdc.stop()
        throw ApacheZooKeeperError.didNotStart("the KDC did not answer within 60 s")
    }

    /// `kinit` of the user with its keytab into the ticket cache `cache` (a file in the directory).
    package func kinit(cache: String) async throws -> ChildProcess.Result {
        try await ChildProcess.run(
            "/usr/bin/kinit", ["-k", "-t", userKeytab, Self.user], environment: environment(cache: cache),
            timeout: .seconds(30))
    }

    /// Stops the KDC and removes its files.
    public func stop() async {
        if process.isRunning {
            process.terminate()
            await ChildProcess.waitUntilExit(process)
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `body` with a started KDC and always stops it.
    public static func with<T>(_ body: (KerberosKDC) async throws -> T) async throws -> T {
        let kdc = try await start()
        do {
            let result = try await body(kdc)
            await kdc.stop()
            return result
        } catch {
            await kdc.stop()
            throw error
        }
    }
}

extension ApacheZooKeeper {
    /// Runs `body` with an Apache ZooKeeper that takes Kerberos (GSSAPI) logins as
    /// `zookeeper/localhost` of `kdc`'s realm, and always stops it. Connect to it as `localhost`.
    public static func withKerberos<T>(
        _ kdc: KerberosKDC, _ body: (ApacheZooKeeper) async throws -> T
    ) async throws -> T {
        let jaas = kdc.directory.appendingPathComponent("server.jaas")
        try """
        Server {
          com.sun.security.auth.module.Krb5LoginModule required
          useKeyTab=true
          keyTab="\(kdc.serviceKeytab)"
          storeKey=true
          useTicketCache=false
          principal="\(KerberosKDC.service)";
        };

        """.write(to: jaas, atomically: true, encoding: .utf8)
        return try await with(
            extraProperties: [
                "-Djava.security.auth.login.config=\(jaas.path)", "-Djava.security.krb5.conf=\(kdc.configFile)",
                "-Dzookeeper.authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider",
            ], body)
    }
}
