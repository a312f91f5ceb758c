import ZooKeeperProtocol

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A node's data and stat, as `getData` reads them.
///
/// The data is bytes, as ZooKeeper stores it; ``string`` and ``decode(_:using:)`` read it as text
/// or as JSON:
///
/// ```swift
/// let limits = try await zk.getData("/config/limits").decode(Limits.self)
/// ```
public struct NodeData: Hashable, Sendable {
    /// The data (empty when the node stores none).
    public var data: [UInt8]
    /// The node's stat: its versions, zxids, times, owner and size.
    public var stat: Stat

    /// A node with this data and stat.
    public init(data: [UInt8], stat: Stat) {
        self.data = data
        self.stat = stat
    }

    /// The data as UTF-8 text.
    /// - Throws: `DecodingError.dataCorrupted` when the data is not valid UTF-8.
    public var string: String {
        get throws { try NodeData.text(data) }
    }

    /// The data decoded from JSON.
    /// - Throws: the decoder's `DecodingError` when the data is not `T` in JSON.
    public func decode<T: Decodable>(_ type: T.Type = T.self, using decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(type, from: Data(data))
    }

    static func text(_ data: [UInt8]) throws -> String {
        guard let text = String(validating: data, as: UTF8.self) else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: [], debugDescription: "the node's data is not UTF-8 text"))
        }
        return text
    }
}

/// A node `create` made: its path (with the sequence suffix for sequential modes) and stat.
public struct CreatedNode: Hashable, Sendable {
    /// The node's path, as the caller names it (within the chroot).
    public var path: String
    /// The new node's stat.
    public var stat: Stat

    /// A created node at `path` with `stat`.
    public init(path: String, stat: Stat) {
        self.path = path
        self.stat = stat
    }
}

/// A node's children and stat, as `getChildrenAndStat` reads them.
public struct NodeChildren: Hashable, Sendable {
    /// The names of the children, in the server's order (unsorted).
    public var children: [String]
    /// The parent's stat.
    public var stat: Stat

    /// These children of a node with `stat`.
    public init(children: [String], stat: Stat) {
        self.children = children
        self.stat = stat
    }
}

/// A node's ACL and stat, as `getACL` reads them.
public struct NodeACL: Hashable, Sendable {
    /// Who may do what with the node.
    public var acl: [ACL]
    /// The node's stat; `aversion` is the ACL's version, for `setACL(_:acl:version:)`.
    public var stat: Stat

    /// This ACL of a node with `stat`.
    public init(acl: [ACL], stat: Stat) {
        self.acl = acl
        self.stat = stat
    }
}
