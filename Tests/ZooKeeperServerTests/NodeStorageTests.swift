import Testing
import ZooKeeperProtocol

@testable import ZooKeeperServer

/// The server's compact node storage: the path table (values side by side, a removal moving the
/// last one into the gap, an index of places) and the interned ACL lists behave as a plain dictionary and plain
/// lists would.
@Suite struct NodeStorageTests {
    @Test func thePathTableAgreesWithADictionaryThroughInsertionsUpdatesAndRemovals() {
        var table = ExactDictionary<Int>()
        var reference: [ExactString: Int] = [:]
        var generator = SystemRandomNumberGenerator()
        // "e\u{301}" and "\u{e9}" are equal Strings but different paths.
        let keys = (0..<300).map { "/k\($0)" } + ["/e\u{301}", "/\u{e9}"]
        for step in 0..<20_000 {
            let key = keys.randomElement(using: &generator)!
            switch Int.random(in: 0..<4, using: &generator) {
            case 0:
                table[key] = step
                reference[ExactString(key)] = step
            case 1:
                #expect(table.removeValue(forKey: key) == reference.removeValue(forKey: ExactString(key)))
            case 2:
                // In place, as the tree changes a node's fields.
                table[key]? += 1
                reference[ExactString(key)]? += 1
            default:
                table[key] = nil
                reference[ExactString(key)] = nil
            }
            #expect(table[key] == reference[ExactString(key)])
        }
        #expect(table.count == reference.count)
        #expect(Dictionary(uniqueKeysWithValues: table.pairs.map { (ExactString($0.key), $0.value) }) == reference)
    }

    /// The path table's index under the worst hashes: a few values shared by many keys, at both
    /// ends of the table (runs that wrap around), through insertions and removals (which move
    /// later slots of a run back).
    @Test func theIndexFindsEveryKeyWhenHashesCollideAndRunsWrapAround() {
        let keys = (0..<200).map { ExactString("/k\($0)") }
        func hash(_ key: Int) -> UInt32 { [0, 1, 0xFFFF_FFFF, 0xFFFF_FFFE][key % 4] }
        var index = PlaceIndex()
        var present = Set<Int>()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let key = Int.random(in: 0..<keys.count, using: &generator)
            if present.remove(key) != nil {
                index.remove(key, hash: hash(key))
            } else {
                index.insert(key, hash: hash(key))
                present.insert(key)
            }
            let probe = Int.random(in: 0..<keys.count, using: &generator)
            #expect(
                index.place(of: keys[probe], hash: hash(probe), keys: keys) == (present.contains(probe) ? probe : nil))
        }
        for key in keys.indices {
            #expect(index.place(of: keys[key], hash: hash(key), keys: keys) == (present.contains(key) ? key : nil))
        }
    }

    @Test func nodesWithEqualACLsShareOneList() {
        var tree = DataTree()
        // Two lists decoded apart, as two requests' are.
        func decoded() -> [ACL] { [ACL(permissions: .all, id: Id(scheme: "digest", id: "user:hash"))] }
        let acl = decoded()
        tree.create("/a", data: [1], acl: decoded(), mode: .persistent, owner: 0, ttl: 0, zxid: 1, time: 1)
        tree.create("/b", data: [2], acl: decoded(), mode: .persistent, owner: 0, ttl: 0, zxid: 2, time: 2)
        #expect(tree["/a"]?.acl == acl && tree["/b"]?.acl == acl)
        let shared = tree["/a"]!.acl.withUnsafeBufferPointer { $0.baseAddress }
        #expect(tree["/b"]!.acl.withUnsafeBufferPointer { $0.baseAddress } == shared)
        tree.setACL("/b", acl: ACL.openUnsafe)
        #expect(tree["/b"]?.acl == ACL.openUnsafe && tree["/a"]?.acl == acl)
    }
}
