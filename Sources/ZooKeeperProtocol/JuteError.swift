/// An error raised while decoding Jute-encoded bytes.
///
/// Decoding never traps: truncated, oversized or malformed input always ends in one of these.
public struct JuteError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// The input ended before a complete value was read.
        public static let truncated = Kind(name: "truncated")
        /// A length prefix was negative (other than -1 for null), or a vector count was larger than
        /// the remaining input could hold.
        public static let invalidLength = Kind(name: "invalid length")
        /// A frame length exceeded the configured maximum.
        public static let frameTooLarge = Kind(name: "frame too large")
        /// A value was out of the range the protocol allows (an unknown opcode, a bad multi header).
        public static let invalidValue = Kind(name: "invalid value")
        /// Bytes were left over after a record that must fill its frame.
        public static let trailingBytes = Kind(name: "trailing bytes")
        public var description: String { name }
    }

    /// What went wrong.
    public var kind: Kind
    /// A short explanation naming the field or value involved.
    public var detail: String

    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    public var description: String { "\(kind): \(detail)" }
}
