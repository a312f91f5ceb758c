/// The client side of DIGEST-MD5 (RFC 2831) as ZooKeeper uses it: authentication only
/// (`qop=auth`), `algorithm=md5-sess`, digest-uri `SERVICE/HOST`.
///
/// The server speaks first: the client sends an empty token, answers the server's challenge with
/// its response, then checks the server's `rspauth`, which proves the server knows the password
/// too. No I/O: the driver moves the tokens.
public struct DigestMD5Client: SASLClientMechanism {
    private enum State: Sendable {
        case initial
        case awaitingChallenge
        /// The response was sent; the server must answer with this `rspauth`.
        case awaitingVerification(expected: String)
        case complete
    }

    public let name = "DIGEST-MD5"
    public var identity: String { username }

    private let username: String
    private let password: String
    private let digestURI: String
    private let authorizationID: String?
    private let cnonce: String
    private var state = State.initial

    /// - Parameters:
    ///   - username: the user, as the server's JAAS `Server` section names it (`user_NAME`).
    ///   - password: the user's password; it never leaves this value in any form but the digest.
    ///   - service: the first part of the digest-uri (`zookeeper`).
    ///   - host: the second part of the digest-uri.
    ///   - authorizationID: the identity to act as, when it differs from `username`.
    ///   - cnonce: the client nonce; random unless a test fixes it.
    public init(
        username: String, password: String, service: String = "zookeeper", host: String,
        authorizationID: String? = nil, cnonce: String = DigestMD5Client.randomNonce()
    ) {
        self.username = username
        self.password = password
        self.digestURI = "\(service)/\(host)"
        self.authorizationID = authorizationID
        self.cnonce = cnonce
    }

    public mutating func initialResponse() throws(SASLError) -> [UInt8] {
        guard case .initial = state else { throw SASLError("DIGEST-MD5 was started twice") }
        state = .awaitingChallenge
        return []
    }

    public mutating func evaluate(_ challenge: [UInt8]) throws(SASLError) -> SASLClientStep {
        switch state {
        case .initial:
            throw SASLError("DIGEST-MD5 got a challenge before it started")
        case .awaitingChallenge:
            let response = try respond(to: challenge)
            return .respond(response)
        case .awaitingVerification(let expected):
            let answer = try DigestMD5Directives(parsing: challenge)
            guard let rspauth = answer["rspauth"] else {
                throw SASLError("the server did not confirm the DIGEST-MD5 login (no rspauth)")
            }
            guard rspauth.lowercased() == expected else {
                throw SASLError("the server could not prove it knows the password (wrong rspauth)")
            }
            state = .complete
            return .complete
        case .complete:
            throw SASLError("the server went on after DIGEST-MD5 was complete")
        }
    }

    private mutating func respond(to challengeBytes: [UInt8]) throws(SASLError) -> [UInt8] {
        guard !challengeBytes.isEmpty else {
            throw SASLError("the server does not offer SASL authentication (it sent no challenge)")
        }
        let challenge = try DigestMD5Directives(parsing: challengeBytes)
        guard let nonce = challenge["nonce"], !nonce.isEmpty else {
            throw SASLError("unreadable DIGEST-MD5 challenge: no nonce")
        }
        let qops = (challenge["qop"] ?? "auth").split(separator: ",").map { $0.trimmed() }
        guard qops.contains("auth") else {
            throw SASLError("the server requires a DIGEST-MD5 security layer (qop \(qops.joined(separator: ",")))")
        }
        guard challenge["algorithm"]?.lowercased() == "md5-sess" else {
            throw SASLError("unreadable DIGEST-MD5 challenge: the algorithm is not md5-sess")
        }
        let realm = challenge.all("realm").first ?? ""
        let utf8 = challenge["charset"]?.lowercased() == "utf-8"
        let digest = DigestMD5Digest(
            username: username, realm: realm, password: password, nonce: nonce, cnonce: cnonce,
            nonceCount: "00000001", digestURI: digestURI, authorizationID: authorizationID)
        var response = DigestMD5Directives()
        if utf8 { response.append("charset", "utf-8", quoted: false) }
        response.append("username", username, quoted: true)
        if !realm.isEmpty { response.append("realm", realm, quoted: true) }
        response.append("nonce", nonce, quoted: true)
        response.append("nc", digest.nonceCount, quoted: false)
        response.append("cnonce", cnonce, quoted: true)
        response.append("digest-uri", digestURI, quoted: true)
        response.append("maxbuf", "65536", quoted: false)
        response.append("response", digest.response, quoted: false)
        response.append("qop", "auth", quoted: false)
        if let authorizationID { response.append("authzid", authorizationID, quoted: true) }
        state = .awaitingVerification(expected: digest.responseAuthentication)
        return response.bytes
    }

    /// A fresh client nonce: 16 random bytes as hex.
    public static func randomNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }.hexString
    }
}
