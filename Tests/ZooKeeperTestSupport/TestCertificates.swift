import Foundation
import Testing

/// A CA, a server certificate for 127.0.0.1, a client certificate, and a second, unrelated CA.
public struct TestCertificates {
    public let directory: URL
    public func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    public static func make() async throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zk-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = """
            set -e
            cd '\(directory.path)'
            ca() { openssl req -x509 -newkey rsa:2048 -nodes -keyout $1.key -out $1.pem -days 2 -subj "/CN=$1"; }
            signed() {
                openssl req -newkey rsa:2048 -nodes -keyout $1.key -out $1.csr -subj "/CN=$1"
                printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > $1.ext
                openssl x509 -req -in $1.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $1.pem -days 2 -extfile $1.ext
            }
            ca ca; ca other-ca; signed server; signed client
            cat server.key server.pem > server-keystore.pem
            cat client.key client.pem > client-keystore.pem
            """
        let result = try await ChildProcess.run("/bin/sh", ["-c", script])
        #expect(result.status == 0, "openssl: \(result.errorText)")
        return TestCertificates(directory: directory)
    }
}
