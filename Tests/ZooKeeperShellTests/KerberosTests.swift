import Foundation
import Testing
import ZooKeeperTestSupport

/// `zk` logs in with Kerberos (GSSAPI) to Apache ZooKeeper (Krb5LoginModule, service principal
/// zookeeper/localhost) of a throwaway MIT KDC on loopback: from kinit's ticket cache and from a
/// keytab; Kerberos principals in sasl ACLs are enforced.
@Suite(.serialized, .timeLimit(.minutes(4))) struct KerberosTests {
    @Test func ticketCacheAndKeytabLogins() async throws {
        try await KerberosKDC.with { kdc in
            try await ApacheZooKeeper.withKerberos(kdc) { cluster in
                // The service principal is zookeeper/localhost: connect by that name.
                let server = cluster.connectString.replacingOccurrences(of: "127.0.0.1", with: "localhost")
                func zk(_ arguments: [String], cache: String) async throws -> ChildProcess.Result {
                    var environment = kdc.environment(cache: cache)
                    environment["ZK_SERVER"] = nil
                    return try await ChildProcess.run(
                        ServeProcess.zk.path, ["-s", server, "--connect-timeout", "20"] + arguments,
                        environment: environment)
                }
                // No ticket yet: one line, status 6.
                let none = try await zk(["--sasl", "GSSAPI", "ls", "/"], cache: "user")
                #expect(none.status == 6, "\(none.errorText)")
                #expect(none.errorText.hasPrefix("zk: AuthFailed: SASL authentication failed: "), "\(none.errorText)")
                #expect(none.errorText.split(separator: "\n").count == 1, "\(none.errorText)")

                // After kinit, from the ticket cache.
                #expect(try await kdc.kinit(cache: "user").status == 0)
                let created = try await zk(
                    ["--sasl", "GSSAPI", "create", "/k", "kerberos", "sasl:\(KerberosKDC.user):cdrwa"], cache: "user")
                #expect(created.status == 0 && created.text == "/k\n", "\(created.errorText)")
                let whoami = try await zk(["--sasl", "GSSAPI", "whoami"], cache: "user")
                #expect(whoami.text.contains(KerberosKDC.user), "\(whoami.text) \(whoami.errorText)")

                // From a keytab, with no ticket cache at all.
                let keytab = try await zk(
                    ["--sasl", "GSSAPI", "--keytab", kdc.userKeytab, "--principal", KerberosKDC.user, "get", "/k"],
                    cache: "empty")
                #expect(keytab.status == 0 && keytab.text == "kerberos", "\(keytab.errorText)")

                // From a Java client's JAAS file (Krb5LoginModule with a keytab).
                let jaas = kdc.directory.appendingPathComponent("client.jaas").path
                try """
                Client {
                  com.sun.security.auth.module.Krb5LoginModule required
                  useKeyTab=true keyTab="\(kdc.userKeytab)" useTicketCache=false
                  principal="\(KerberosKDC.user)";
                };
                """.write(toFile: jaas, atomically: true, encoding: .utf8)
                let fromJAAS = try await zk(["--jaas", jaas, "get", "/k"], cache: "empty")
                #expect(fromJAAS.status == 0 && fromJAAS.text == "kerberos", "\(fromJAAS.errorText)")

                // Anyone else is refused by the ACL.
                let anonymous = try await zk(["get", "/k"], cache: "empty")
                #expect(anonymous.status == 6, "\(anonymous.errorText)")
            }
        }
    }
}
