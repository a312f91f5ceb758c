/// How a node is created: persistence, sequence suffix, container or time-to-live (`CreateMode`).
public struct CreateMode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let persistent = CreateMode(rawValue: 0)
    public static let ephemeral = CreateMode(rawValue: 1)
    public static let persistentSequential = CreateMode(rawValue: 2)
    public static let ephemeralSequential = CreateMode(rawValue: 3)
    public static let container = CreateMode(rawValue: 4)
    public static let persistentWithTTL = CreateMode(rawValue: 5)
    public static let persistentSequentialWithTTL = CreateMode(rawValue: 6)

    /// Whether the server appends a 10-digit sequence number to the name.
    public var isSequential: Bool { rawValue == 2 || rawValue == 3 || rawValue == 6 }
    /// Whether the node lives only as long as the session that created it.
    public var isEphemeral: Bool { rawValue == 1 || rawValue == 3 }
    /// Whether the node is a container, removed by the server once its last child goes.
    public var isContainer: Bool { rawValue == 4 }
    /// Whether the node carries a time-to-live.
    public var isTTL: Bool { rawValue == 5 || rawValue == 6 }

    public var description: String {
        switch rawValue {
        case 0: "persistent"
        case 1: "ephemeral"
        case 2: "persistent-sequential"
        case 3: "ephemeral-sequential"
        case 4: "container"
        case 5: "persistent-ttl"
        case 6: "persistent-sequential-ttl"
        default: "CreateMode(\(rawValue))"
        }
    }
}

/// Access rights in an ACL entry (`ZooDefs.Perms`).
public struct Permissions: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let read = Permissions(rawValue: 1)
    public static let write = Permissions(rawValue: 2)
    public static let create = Permissions(rawValue: 4)
    public static let delete = Permissions(rawValue: 8)
    public static let admin = Permissions(rawValue: 16)
    public static let all: Permissions = [.read, .write, .create, .delete, .admin]

    /// The letters zkCli uses, in its order: `c`reate, `d`elete, `r`ead, `w`rite, `a`dmin.
    public var description: String {
        var letters = ""
        if contains(.create) { letters += "c" }
        if contains(.delete) { letters += "d" }
        if contains(.read) { letters += "r" }
        if contains(.write) { letters += "w" }
        if contains(.admin) { letters += "a" }
        return letters
    }

    /// Parses zkCli's letters (`cdrwa` in any order); nil for any other character.
    public init?(letters: some StringProtocol) {
        var permissions: Permissions = []
        for letter in letters {
            switch letter {
            case "c": permissions.insert(.create)
            case "d": permissions.insert(.delete)
            case "r": permissions.insert(.read)
            case "w": permissions.insert(.write)
            case "a": permissions.insert(.admin)
            default: return nil
            }
        }
        self = permissions
    }
}
