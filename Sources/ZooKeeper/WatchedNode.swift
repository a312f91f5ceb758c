import ZooKeeperProtocol

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A node's data and stat, and the one-shot watch `watchData` set on it.
public struct WatchedData: Sendable {
    /// The data when read (empty when the node stores none).
    public var data: [UInt8]
    /// The node's stat when read.
    public var stat: Stat
    /// Fires once, on the node's next change or deletion.
    public var watch: ZooKeeperWatch

    /// The data as UTF-8 text (see ``NodeData/string``).
    public var string: String {
        get throws { try NodeData.text(data) }
    }

    /// The data decoded from JSON (see ``NodeData/decode(_:using:)``).
    public func decode<T: Decodable>(_ type: T.Type = T.self, using decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try NodeData(data: data, stat: stat).decode(type, using: decoder)
    }
}

/// A node's stat (nil when it does not exist), and the one-shot watch `watchExists` set on it.
public struct WatchedStat: Sendable {
    /// The node's stat when read, or nil when the node did not exist.
    public var stat: Stat?
    /// Fires once, when the node is created, changed or deleted.
    public var watch: ZooKeeperWatch
}

/// A node's children and stat, and the one-shot watch `watchChildren` set on it.
public struct WatchedChildren: Sendable {
    /// The names of the children when read, in the server's order (unsorted).
    public var children: [String]
    /// The parent's stat when read.
    public var stat: Stat
    /// Fires once, when a child is added or removed, or the node is deleted.
    public var watch: ZooKeeperWatch
}
