import CGSSAPI
import ZooKeeperSASL

/// The client side of SASL GSSAPI (RFC 4752) with Kerberos v5, through the system's GSS-API
/// library: the Kerberos context exchange (mutual authentication), then the security layer
/// negotiation, where the client accepts "no security layer" (as the Java client does with
/// ZooKeeper's default `qop=auth`).
struct GSSAPIClient: SASLClientMechanism {
    private enum State {
        case initial
        /// Context tokens go back and forth until the context is established.
        case establishing
        /// The context is established; the server's wrapped security layer offer comes next.
        case awaitingOffer
        /// The client's choice was sent; the server's (empty) answer ends the exchange.
        case awaitingCompletion
        case complete
    }

    let name = "GSSAPI"
    private(set) var identity: String
    private let service: String
    private let host: String
    private let principal: String?
    private let keytab: String?
    private let session = GSSSession()
    private var state = State.initial

    /// - Parameters:
    ///   - service, host: the server's principal, `service/host` (`zookeeper/zk1.example.com`).
    ///   - principal: the client's principal; nil: the ticket cache's.
    ///   - keytab: the keytab to take the principal's key from; nil: the ticket cache (after kinit).
    init(service: String, host: String, principal: String?, keytab: String?) {
        self.service = service
        self.host = host
        self.principal = principal
        self.keytab = keytab
        identity = principal ?? "the ticket cache's principal"
    }

    mutating func initialResponse() throws(SASLError) -> [UInt8] {
        guard case .initial = state else { throw SASLError("GSSAPI was started twice") }
        if let problem = zk_gss_load() { throw SASLError(String(cString: problem)) }
        try session.prepare(service: service, host: host, principal: principal, keytab: keytab)
        state = .establishing
        return try establish(with: [])
    }

    mutating func evaluate(_ challenge: [UInt8]) throws(SASLError) -> SASLClientStep {
        switch state {
        case .initial:
            throw SASLError("GSSAPI got a token before it started")
        case .establishing:
            return .respond(try establish(with: challenge))
        case .awaitingOffer:
            let offer = try session.unwrap(challenge)
            // One byte of offered layers (1: none, 2: integrity, 4: privacy), three of buffer size.
            guard offer.count == 4 else { throw SASLError("unreadable GSSAPI security layer offer") }
            guard offer[0] & 1 != 0 else {
                throw SASLError("the server requires a GSSAPI security layer (integrity or privacy)")
            }
            state = .awaitingCompletion
            return .respond(try session.wrap([1, 0, 0, 0]))
        case .awaitingCompletion:
            state = .complete
            return .complete
        case .complete:
            throw SASLError("the server went on after GSSAPI was complete")
        }
    }

    /// One step of the context exchange; the token to send (empty once established).
    private mutating func establish(with token: [UInt8]) throws(SASLError) -> [UInt8] {
        let (output, established) = try session.initSecContext(token)
        if established {
            state = .awaitingOffer
            if let name = session.initiatorName() { identity = name }
        }
        return output
    }
}

/// The GSS-API handles of one exchange, released with it. Used by one exchange at a time, on the
/// client's event loop.
private final class GSSSession: @unchecked Sendable {
    private var credentials: gss_cred_id_t?
    private var target: gss_name_t?
    private var context: gss_ctx_id_t?

    deinit {
        zk_gss_delete_sec_context(&context)
        zk_gss_release_name(&target)
        zk_gss_release_cred(&credentials)
    }

    func prepare(service: String, host: String, principal: String?, keytab: String?) throws(SASLError) {
        var minor: OM_uint32 = 0
        var major = zk_gss_import_name(&minor, "\(service)@\(host)", zk_gss_nt_hostbased_service(), &target)
        try Self.check(major, minor, "the server principal \(service)/\(host)")
        var client: gss_name_t?
        defer { zk_gss_release_name(&client) }
        if let principal {
            major = zk_gss_import_name(&minor, principal, zk_gss_nt_krb5_principal(), &client)
            try Self.check(major, minor, "the principal \(principal)")
        }
        // A keytab's ticket goes to a cache of this exchange's own, not the user's.
        let cache = "MEMORY:zk-\(DigestMD5Client.randomNonce())"
        major = zk_gss_acquire_cred(&minor, client, keytab, keytab == nil ? nil : cache, &credentials)
        try Self.check(
            major, minor,
            keytab.map { "Kerberos credentials from the keytab \($0)" } ?? "Kerberos credentials (run kinit)")
    }

    func initSecContext(_ token: [UInt8]) throws(SASLError) -> (output: [UInt8], established: Bool) {
        var minor: OM_uint32 = 0
        var output = gss_buffer_desc()
        let major = token.withUnsafeBytes { bytes in
            zk_gss_init_sec_context(
                &minor, credentials, &context, target, bytes.baseAddress, bytes.count, &output, nil)
        }
        defer { zk_gss_release_buffer(&output) }
        try Self.check(major, minor, "the Kerberos login")
        return (Self.bytes(of: output), major & 1 == 0)  // GSS_S_CONTINUE_NEEDED is 1
    }

    func wrap(_ message: [UInt8]) throws(SASLError) -> [UInt8] {
        try transform(message, zk_gss_wrap, "wrapping the GSSAPI security layer choice")
    }

    func unwrap(_ message: [UInt8]) throws(SASLError) -> [UInt8] {
        try transform(message, zk_gss_unwrap, "the server's GSSAPI security layer offer")
    }

    /// gss_wrap or gss_unwrap of `message` in the context.
    private func transform(
        _ message: [UInt8],
        _ function: (UnsafeMutablePointer<OM_uint32>?, gss_ctx_id_t?, UnsafeRawPointer?, Int, gss_buffer_t?) ->
            OM_uint32,
        _ what: String
    ) throws(SASLError) -> [UInt8] {
        var minor: OM_uint32 = 0
        var output = gss_buffer_desc()
        let major = message.withUnsafeBytes { function(&minor, context, $0.baseAddress, $0.count, &output) }
        defer { zk_gss_release_buffer(&output) }
        try Self.check(major, minor, what)
        return Self.bytes(of: output)
    }

    func initiatorName() -> String? {
        var minor: OM_uint32 = 0
        var output = gss_buffer_desc()
        guard zk_gss_initiator_name(&minor, context, &output) & 0xFFFF_0000 == 0 else { return nil }
        defer { zk_gss_release_buffer(&output) }
        return String(decoding: Self.bytes(of: output), as: UTF8.self)
    }

    private static func bytes(of buffer: gss_buffer_desc) -> [UInt8] {
        guard let value = buffer.value, buffer.length > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: value, count: buffer.length))
    }

    /// Throws when `major` is an error (its routine or calling error bits), with GSS-API's words for it.
    private static func check(_ major: OM_uint32, _ minor: OM_uint32, _ what: String) throws(SASLError) {
        guard major & 0xFFFF_0000 != 0 else { return }
        var words = [message(major, isMajor: true)]
        if minor != 0 { words.append(message(minor, isMajor: false)) }
        throw SASLError("\(what) failed: \(words.filter { !$0.isEmpty }.joined(separator: ": "))")
    }

    private static func message(_ status: OM_uint32, isMajor: Bool) -> String {
        var lines: [String] = []
        var messageContext: OM_uint32 = 0
        repeat {
            var minor: OM_uint32 = 0
            var output = gss_buffer_desc()
            guard zk_gss_display_status(&minor, status, isMajor ? 1 : 0, &messageContext, &output) & 0xFFFF_0000 == 0
            else { break }
            lines.append(String(decoding: bytes(of: output), as: UTF8.self))
            zk_gss_release_buffer(&output)
        } while messageContext != 0
        return lines.joined(separator: "; ")
    }
}
