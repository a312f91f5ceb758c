/// The server side of DIGEST-MD5 (RFC 2831) as Apache ZooKeeper runs it: realm `zk-sasl-md5`,
/// `qop=auth`, `algorithm=md5-sess`, users and passwords from the JAAS `Server` section.
///
/// The client's first (empty) token gets the challenge; its response, when the digest matches
/// the user's password, gets `rspauth` and completes the exchange. No I/O.
public struct DigestMD5Server: Sendable {
    /// What the server answers a client's token with.
    public enum Step: Hashable, Sendable {
        /// Send this challenge and wait for the client's next token.
        case challenge([UInt8])
        /// The client is authenticated as `authorizationID`; send `token` (the `rspauth`).
        case complete(token: [UInt8], authorizationID: String)
    }

    private enum State: Sendable {
        case initial
        case challenged
        case complete
    }

    /// The realm Apache ZooKeeper hard-wires for DIGEST-MD5.
    public static let defaultRealm = "zk-sasl-md5"

    private let realm: String
    private let service: String
    private let nonce: String
    private let password: @Sendable (String) -> String?
    private var state = State.initial

    /// - Parameters:
    ///   - realm: the realm offered in the challenge.
    ///   - service: the service the client's digest-uri must name (`zookeeper/...`).
    ///   - nonce: the server nonce; random unless a test fixes it.
    ///   - password: the password of a user, nil for an unknown user.
    public init(
        realm: String = DigestMD5Server.defaultRealm, service: String = "zookeeper",
        nonce: String = DigestMD5Client.randomNonce(), password: @escaping @Sendable (String) -> String?
    ) {
        self.realm = realm
        self.service = service
        self.nonce = nonce
        self.password = password
    }

    /// The answer to the client's token; throws when the client is not who it claims to be
    /// (unknown user, wrong password) or breaks the protocol.
    public mutating func evaluate(_ token: [UInt8]) throws(SASLError) -> Step {
        switch state {
        case .initial:
            state = .challenged
            var challenge = DigestMD5Directives()
            challenge.append("realm", realm, quoted: true)
            challenge.append("nonce", nonce, quoted: true)
            challenge.append("charset", "utf-8", quoted: false)
            challenge.append("algorithm", "md5-sess", quoted: false)
            return .challenge(challenge.bytes)
        case .challenged:
            let (answer, authorizationID) = try verify(token)
            state = .complete
            return .complete(token: answer, authorizationID: authorizationID)
        case .complete:
            throw SASLError("the client went on after DIGEST-MD5 was complete")
        }
    }

    private func verify(_ token: [UInt8]) throws(SASLError) -> ([UInt8], String) {
        let response = try DigestMD5Directives(parsing: token)
        guard let username = response["username"], let digestURI = response["digest-uri"],
            let cnonce = response["cnonce"], let nonceCount = response["nc"], let value = response["response"]
        else {
            throw SASLError("unreadable DIGEST-MD5 response: a directive is missing")
        }
        guard response["nonce"] == nonce else { throw SASLError("DIGEST-MD5 response for another nonce") }
        guard (response["qop"] ?? "auth") == "auth" else {
            throw SASLError("DIGEST-MD5 security layers are not supported")
        }
        guard digestURI.lowercased().hasPrefix(service.lowercased() + "/") else {
            throw SASLError("DIGEST-MD5 response for another service (\(digestURI))")
        }
        guard let password = password(username) else {
            throw SASLError("DIGEST-MD5: no such user \(username)")
        }
        let authorizationID = response["authzid"]
        let digest = DigestMD5Digest(
            username: username, realm: response["realm"] ?? "", password: password, nonce: nonce, cnonce: cnonce,
            nonceCount: nonceCount, digestURI: digestURI, authorizationID: authorizationID)
        guard digest.response == value.lowercased() else {
            throw SASLError("DIGEST-MD5: wrong password for \(username)")
        }
        if let authorizationID, authorizationID != username {
            throw SASLError("DIGEST-MD5: \(username) may not act as \(authorizationID)")
        }
        var answer = DigestMD5Directives()
        answer.append("rspauth", digest.responseAuthentication, quoted: false)
        return (answer.bytes, username)
    }
}
