import Crypto

/// The values both sides of DIGEST-MD5 compute (RFC 2831 section 2.1.2.1, `qop=auth`,
/// `algorithm=md5-sess`): the client's `response` and the server's `rspauth` differ only in
/// the first part of A2.
struct DigestMD5Digest: Sendable {
    var username: String
    var realm: String
    var password: String
    var nonce: String
    var cnonce: String
    var nonceCount: String
    var digestURI: String
    var authorizationID: String?

    /// The `response` directive the client sends.
    var response: String { value(a2Prefix: "AUTHENTICATE") }

    /// The `rspauth` the server answers with, proving it knows the password too.
    var responseAuthentication: String { value(a2Prefix: "") }

    private func value(a2Prefix: String) -> String {
        var a1 = Array(Insecure.MD5.hash(data: encode("\(username):\(realm):\(password)")))
        a1 += Array(":\(nonce):\(cnonce)".utf8)
        if let authorizationID { a1 += Array(":".utf8) + encode(authorizationID) }
        let a2 = Array("\(a2Prefix):\(digestURI)".utf8)
        let parts = [
            Insecure.MD5.hash(data: a1).hexString, nonce, nonceCount, cnonce, "auth",
            Insecure.MD5.hash(data: a2).hexString,
        ].joined(separator: ":")
        return Insecure.MD5.hash(data: Array(parts.utf8)).hexString
    }

    /// RFC 2831: text that ISO 8859-1 can hold is hashed in it, other text (allowed by
    /// `charset=utf-8`) in UTF-8.
    private func encode(_ text: String) -> [UInt8] {
        let scalars = text.unicodeScalars
        guard scalars.allSatisfy({ $0.value <= 0xFF }) else { return Array(text.utf8) }
        return scalars.map { UInt8($0.value) }
    }
}

extension Sequence<UInt8> {
    /// The bytes as lower-case hexadecimal, two digits each.
    var hexString: String {
        map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }
}
