import ZooKeeper

/// A node as a cache holds it.
public struct CachedNode: Hashable, Sendable {
    public var data: [UInt8]
    public var stat: Stat

    public init(data: [UInt8], stat: Stat) {
        self.data = data
        self.stat = stat
    }
}

/// A change a `NodeCache` or `TreeCache` applied: a node appeared, changed or went.
public struct CacheEvent: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        case added, updated, removed
    }

    public var kind: Kind
    public var path: String
    /// The node's data and stat: as now for added and updated, as last known for removed.
    public var node: CachedNode

    public init(kind: Kind, path: String, node: CachedNode) {
        self.kind = kind
        self.path = path
        self.node = node
    }

    public var description: String { "\(kind) \(path)" }
}
