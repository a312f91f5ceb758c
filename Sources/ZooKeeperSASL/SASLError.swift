/// Why a SASL exchange failed, in plain words (never with a password in it).
public struct SASLError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, for a person to read.
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
