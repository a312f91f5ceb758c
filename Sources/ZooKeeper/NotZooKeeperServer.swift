/// A connection's first bytes cannot begin the reply to a ZooKeeper handshake: another kind of
/// server listens on the port, told apart by what it sent where possible.
///
/// A handshake reply is one short frame (a connect response of 36 or 37 bytes, or a 16-byte
/// reply header when a read-only server refuses the session), so its 4-byte length is small;
/// text and TLS records read as lengths of hundreds of megabytes ("HTTP" is 1213486160).
struct NotZooKeeperServer: Error, Hashable, CustomStringConvertible {
    enum Kind: Hashable {
        case http
        case ssh
        /// A TLS record: the port expects TLS.
        case tls
        /// Some other text protocol; its first line (printable part, shortened).
        case text(String)
        /// Bytes that say nothing, or a short frame that is not a connect response.
        case unknown
    }

    var kind: Kind

    /// The longest first frame a ZooKeeper server could send, with a wide margin.
    static let longestHandshakeReply = 1024

    init(kind: Kind) {
        self.kind = kind
    }

    /// Checks the first bytes a server sent (at least four); nil when they can begin a handshake
    /// reply.
    init?(firstBytes bytes: [UInt8]) {
        precondition(bytes.count >= 4, "a frame length takes four bytes")
        let length = bytes.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        guard length > Self.longestHandshakeReply else { return nil }
        let text = String(decoding: bytes.prefix { (0x20...0x7e).contains($0) }, as: UTF8.self)
        if text.hasPrefix("HTTP") {
            kind = .http
        } else if text.hasPrefix("SSH-") {
            kind = .ssh
        } else if (0x14...0x17).contains(bytes[0]) && bytes[1] == 0x03 {
            kind = .tls
        } else if text.count >= 4 {
            kind = .text(text.count > 40 ? text.prefix(40) + "..." : text)
        } else {
            kind = .unknown
        }
    }

    var description: String {
        switch kind {
        case .http: "this is not a ZooKeeper server (it answered like an HTTP server)"
        case .ssh: "this is not a ZooKeeper server (it answered like an SSH server)"
        case .tls: "the server answered with TLS: this port needs a TLS connection"
        case .text(let line): "this is not a ZooKeeper server (it answered \"\(line)\")"
        case .unknown: "this is not a ZooKeeper server (its answer is not a ZooKeeper handshake)"
        }
    }
}
