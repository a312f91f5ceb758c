extension ZooKeeperServer {
    /// A watch the server holds for a session, from ``ZooKeeperServer/watches()``.
    public struct WatchInfo: Hashable, Comparable, Sendable {
        /// What a watch waits for.
        public enum Kind: Hashable, Comparable, Sendable {
            /// A one-shot watch on a node's data or existence (`getData` or `exists`).
            case data
            /// A one-shot watch on a node's children (`getChildren`).
            case children
            /// A persistent watch on a node (`addWatch`).
            case persistent
            /// A persistent watch on a node and everything under it (`addWatch`).
            case persistentRecursive
        }

        /// The watched path.
        public var path: String
        /// What the watch waits for.
        public var kind: Kind
        /// The session of the connection the watch was set on.
        public var sessionID: Int64

        /// A watch's facts.
        public init(path: String, kind: Kind, sessionID: Int64) {
            self.path = path
            self.kind = kind
            self.sessionID = sessionID
        }

        /// Orders by session, then path, then kind.
        public static func < (lhs: WatchInfo, rhs: WatchInfo) -> Bool {
            (lhs.sessionID, lhs.path, lhs.kind) < (rhs.sessionID, rhs.path, rhs.kind)
        }
    }
}
