/// What a SASL client does after a message from the server.
public enum SASLClientStep: Hashable, Sendable {
    /// Send this token to the server and wait for its answer.
    case respond([UInt8])
    /// The exchange succeeded: nothing more to send.
    case complete
}

/// The client side of one SASL mechanism, as a state machine without I/O: the driver sends
/// ``initialResponse()``, then feeds every token the server answers with to ``evaluate(_:)``
/// until it returns ``SASLClientStep/complete`` or throws.
public protocol SASLClientMechanism: Sendable {
    /// The mechanism's registered name (`DIGEST-MD5`, `GSSAPI`).
    var name: String { get }

    /// The identity the server will know the client by, once the exchange is complete.
    var identity: String { get }

    /// The first token to send; empty for mechanisms where the server speaks first.
    mutating func initialResponse() throws(SASLError) -> [UInt8]

    /// The next step after the server's token (empty when the server sent none).
    mutating func evaluate(_ challenge: [UInt8]) throws(SASLError) -> SASLClientStep
}
