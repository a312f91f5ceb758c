import ZooKeeper

/// A change a `NodeCache` or `TreeCache` applied: a node appeared, changed or went.
public struct CacheEvent: Hashable, Sendable, CustomStringConvertible {
    /// What happened to the node.
    public enum Kind: String, Hashable, Sendable {
        case added, updated, removed
    }

    /// What happened.
    public var kind: Kind
    /// The node's path.
    public var path: String
    /// The node's data and stat: as now for added and updated, as last known for removed.
    public var node: NodeData

    /// An event of `kind` for the node at `path`.
    public init(kind: Kind, path: String, node: NodeData) {
        self.kind = kind
        self.path = path
        self.node = node
    }

    /// `KIND PATH`.
    public var description: String { "\(kind) \(path)" }
}
