/// An error from ZooKeeper or from the client: the result code, the path involved and a message.
public struct ZooKeeperError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The result code: a server code such as `.noNode`, or one of the client's own codes.
    public var code: ErrorCode
    /// The path of the operation that failed, when it had one (as the caller wrote it, without chroot).
    public var path: String?
    /// A one-line explanation.
    public var message: String
    /// For a failed `multi`: each operation's result, failing one included.
    public var multiResults: [MultiResult]?

    public init(_ code: ErrorCode, _ message: String? = nil, path: String? = nil, multiResults: [MultiResult]? = nil) {
        self.code = code
        self.path = path
        self.message = message ?? code.message
        self.multiResults = multiResults
    }

    public var description: String {
        if let path { return "\(code.name): \(message): \(path)" }
        return "\(code.name): \(message)"
    }
}
