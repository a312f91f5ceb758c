/// The kind of change a watch notification reports (`Watcher.Event.EventType`).
public struct EventType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let none = EventType(rawValue: -1)
    public static let nodeCreated = EventType(rawValue: 1)
    public static let nodeDeleted = EventType(rawValue: 2)
    public static let nodeDataChanged = EventType(rawValue: 3)
    public static let nodeChildrenChanged = EventType(rawValue: 4)
    public static let dataWatchRemoved = EventType(rawValue: 5)
    public static let childWatchRemoved = EventType(rawValue: 6)
    public static let persistentWatchRemoved = EventType(rawValue: 7)

    public var description: String {
        switch rawValue {
        case -1: "None"
        case 1: "NodeCreated"
        case 2: "NodeDeleted"
        case 3: "NodeDataChanged"
        case 4: "NodeChildrenChanged"
        case 5: "DataWatchRemoved"
        case 6: "ChildWatchRemoved"
        case 7: "PersistentWatchRemoved"
        default: "EventType(\(rawValue))"
        }
    }
}

/// The connection state carried by a notification (`Watcher.Event.KeeperState`).
public struct KeeperState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unknown = KeeperState(rawValue: -1)
    public static let disconnected = KeeperState(rawValue: 0)
    public static let syncConnected = KeeperState(rawValue: 3)
    public static let authFailed = KeeperState(rawValue: 4)
    public static let connectedReadOnly = KeeperState(rawValue: 5)
    public static let saslAuthenticated = KeeperState(rawValue: 6)
    public static let expired = KeeperState(rawValue: -112)
    public static let closed = KeeperState(rawValue: 7)

    public var description: String {
        switch rawValue {
        case -1: "Unknown"
        case 0: "Disconnected"
        case 3: "SyncConnected"
        case 4: "AuthFailed"
        case 5: "ConnectedReadOnly"
        case 6: "SaslAuthenticated"
        case -112: "Expired"
        case 7: "Closed"
        default: "KeeperState(\(rawValue))"
        }
    }
}

/// Which watches `checkWatches` and `removeWatches` address (`Watcher.WatcherType`).
public struct WatcherType: RawRepresentable, Hashable, Sendable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let children = WatcherType(rawValue: 1)
    public static let data = WatcherType(rawValue: 2)
    public static let any = WatcherType(rawValue: 3)
    public static let persistent = WatcherType(rawValue: 4)
    public static let persistentRecursive = WatcherType(rawValue: 5)
}

/// The mode of a watch added with `addWatch` (`AddWatchMode`).
public struct AddWatchMode: RawRepresentable, Hashable, Sendable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Fires on every change of the node itself (created, deleted, data, children) and stays.
    public static let persistent = AddWatchMode(rawValue: 0)
    /// Fires on creation, deletion and data changes of the node and all its descendants, and stays.
    public static let persistentRecursive = AddWatchMode(rawValue: 1)
}
