/// A change reported by a watch: what happened and to which node.
public struct WatchedEvent: Hashable, Sendable, CustomStringConvertible {
    /// What happened.
    public var type: EventType
    /// The node's path, relative to the chroot.
    public var path: String
    /// The zxid of the change when the server says (3.9+), else nil.
    public var zxid: Int64?

    public init(type: EventType, path: String, zxid: Int64? = nil) {
        self.type = type
        self.path = path
        self.zxid = zxid
    }

    public var description: String { "\(type) \(path)" }
}
