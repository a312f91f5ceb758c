import Testing
import ZooKeeperProtocol

// Values checked against Apache ZooKeeper 3.8.0's Watcher.Event.EventType, KeeperState, WatcherType
// and AddWatchMode by reflection; WatcherType 4 and 5 are 3.9's additions.
@Suite(.timeLimit(.minutes(3))) struct WatchConstantsTests {
    @Test func eventTypes() {
        let types: [(EventType, Int32, String)] = [
            (.none, -1, "None"), (.nodeCreated, 1, "NodeCreated"), (.nodeDeleted, 2, "NodeDeleted"),
            (.nodeDataChanged, 3, "NodeDataChanged"), (.nodeChildrenChanged, 4, "NodeChildrenChanged"),
            (.dataWatchRemoved, 5, "DataWatchRemoved"), (.childWatchRemoved, 6, "ChildWatchRemoved"),
            (.persistentWatchRemoved, 7, "PersistentWatchRemoved"),
        ]
        for (type, raw, name) in types {
            #expect(type.rawValue == raw)
            #expect(type.description == name)
        }
        #expect(EventType(rawValue: 42).description == "EventType(42)")
    }

    @Test func keeperStates() {
        let states: [(KeeperState, Int32, String)] = [
            (.unknown, -1, "Unknown"), (.disconnected, 0, "Disconnected"), (.syncConnected, 3, "SyncConnected"),
            (.authFailed, 4, "AuthFailed"), (.connectedReadOnly, 5, "ConnectedReadOnly"),
            (.saslAuthenticated, 6, "SaslAuthenticated"), (.expired, -112, "Expired"), (.closed, 7, "Closed"),
        ]
        for (state, raw, name) in states {
            #expect(state.rawValue == raw)
            #expect(state.description == name)
        }
        #expect(KeeperState(rawValue: 1).description == "KeeperState(1)")
    }

    @Test func watcherTypesAndAddWatchModes() {
        #expect(
            [WatcherType.children, .data, .any, .persistent, .persistentRecursive].map(\.rawValue) == [1, 2, 3, 4, 5])
        #expect(AddWatchMode.persistent.rawValue == 0)
        #expect(AddWatchMode.persistentRecursive.rawValue == 1)
    }
}
