import NIOSSL
import X509

/// The `x509` identity of a client certificate, as Apache's `X509AuthenticationProvider` takes it:
/// the subject's distinguished name in RFC 2253 form (`CN=alice,O=Example`).
enum X509Identity {
    static func subject(of certificate: NIOSSLCertificate) -> String? {
        guard let der = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: der) else {
            return nil
        }
        return parsed.subject.description
    }
}
