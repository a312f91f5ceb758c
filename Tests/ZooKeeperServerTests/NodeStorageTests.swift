import Testing
import ZooKeeperProtocol

@testable import ZooKeeperServer

/// The server's compact node storage: the path table (values side by side in pages, a removal
/// leaving a gap the next insertion fills, an index of places), the children kept as places, and the
/// interned ACL lists behave as a plain dictionary, plain sets and plain lists would.
@Suite struct NodeStorageTests {
    @Test func thePathTableAgreesWithADictionaryThroughInsertionsUpdatesAndRemovals() {
        // Pages of 8 places: 300 keys fill many.
        var table = ExactDictionary<Int>(pageShift: 3)
        var reference: [ExactString: Int] = [:]
        // A copy taken halfway, as a snapshot takes the tree, keeps what it saw.
        var copy: (table: ExactDictionary<Int>, reference: [ExactString: Int])? = nil
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
                #expect(table.removeValue(forKey: key)?.value == reference.removeValue(forKey: ExactString(key)))
            case 2:
                // In place, as the tree changes a node's fields.
                table[key]? += 1
                reference[ExactString(key)]? += 1
            default:
                table[key] = nil
                reference[ExactString(key)] = nil
            }
            #expect(table[key] == reference[ExactString(key)])
            if step == 10_000 { copy = (table, reference) }
        }
        func contents(_ table: ExactDictionary<Int>) -> [ExactString: Int] {
            Dictionary(uniqueKeysWithValues: table.pairs.map { (ExactString($0.key), $0.value) })
        }
        #expect(table.count == reference.count)
        #expect(contents(table) == reference)
        #expect(copy.map { contents($0.table) == $0.reference && $0.table.count == $0.reference.count } == true)
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
                index.place(of: keys[probe], hash: hash(probe)) { keys[$0] } == (present.contains(probe) ? probe : nil))
        }
        for key in keys.indices {
            #expect(index.place(of: keys[key], hash: hash(key)) { keys[$0] } == (present.contains(key) ? key : nil))
        }
    }

    /// A value keeps its place while its key is present, whatever else comes and goes: the
    /// children lists hold places.
    @Test func aValueKeepsItsPlaceThroughOtherRemovals() {
        var table = ExactDictionary<Int>(pageShift: 3)
        var placed: [String: Int] = [:]
        var generator = SystemRandomNumberGenerator()
        for step in 0..<5_000 {
            let key = "/k\(Int.random(in: 0..<100, using: &generator))"
            if let place = placed.removeValue(forKey: key) {
                #expect(table.place(of: key) == place)
                table[key] = nil
            } else {
                placed[key] = table.set(key, step).place
            }
        }
        for (key, place) in placed { #expect(table.place(of: key) == place && table.key(at: place) == key) }
        #expect(table.count == placed.count)
    }

    /// Creates, changes and deletes under a few parents, some inside a multi that fails: each parent lists
    /// exactly its children, each child stands where its parent's list says, and a failed multi
    /// leaves every list in the order it had (which follows Java's table, so its history counts).
    @Test func childListsStayExactThroughCreatesDeletesAndFailedMultis() {
        var tree = DataTree()
        let parents = ["/p0", "/p1", "/p1/q", "/p2"]
        var zxid: Int64 = 0
        func create(_ path: String) {
            zxid += 1
            tree.create(path, data: nil, acl: ACL.openUnsafe, mode: .persistent, owner: 0, ttl: 0, zxid: zxid, time: 0)
        }
        for parent in parents { create(parent) }
        var reference = Dictionary(uniqueKeysWithValues: parents.map { ($0, Set<String>()) })
        reference["/p1"] = ["q"]
        func listing() -> [String: [String]] {
            Dictionary(uniqueKeysWithValues: parents.map { ($0, tree.childNames(of: tree[$0]!)) })
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<400 {
            let failing = Int.random(in: 0..<3, using: &generator) == 0
            let before = listing()
            var changed = reference
            if failing { tree.startUndoLog() }
            for _ in 0..<Int.random(in: 1..<40, using: &generator) {
                let parent = parents.randomElement(using: &generator)!
                let name = "n\(Int.random(in: 0..<60, using: &generator))"
                let path = parent + "/" + name
                if changed[parent]!.contains(name), Bool.random(using: &generator) {
                    // A change a failed multi takes back, to a node a later deletion may move
                    // in its parent's list.
                    zxid += 1
                    tree.setData(path, data: [1], zxid: zxid, time: 0)
                } else if changed[parent]!.contains(name) {
                    guard tree[path]!.children.isEmpty else { continue }
                    zxid += 1
                    tree.delete(path, zxid: zxid)
                    changed[parent]!.remove(name)
                } else {
                    create(path)
                    changed[parent]!.insert(name)
                }
            }
            if failing {
                tree.undoChanges()
                #expect(listing() == before)
            } else {
                reference = changed
            }
            for parent in parents {
                let node = tree[parent]!
                #expect(Set(tree.childNames(of: node)) == reference[parent]!)
                let consistent = node.childrenStandWhereListed(in: tree)
                #expect(consistent, "children of \(parent)")
            }
        }
        #expect(tree.nodeCount == 4 + 4 + reference.values.reduce(0) { $0 + $1.count } - 1)
    }

    /// Each node's data, kept in shared pages, reads back as last written: through creates,
    /// changes and deletes that leave bytes unused and so move their pages' data together, data
    /// kept apart for its size, null and empty data, failed multis, and a copy of the tree (a
    /// snapshot's) that must keep what it saw.
    @Test func eachNodeKeepsItsDataThroughChangesCompactionsAndFailedMultis() {
        var tree = DataTree()
        var zxid: Int64 = 0
        var written = 0
        var generator = SystemRandomNumberGenerator()
        // Distinct bytes for each write, so that data read from a stale place shows.
        func nextData() -> [UInt8]? {
            written += 1
            switch Int.random(in: 0..<20, using: &generator) {
            case 0: return nil
            case 1: return []
            case 2: return Array(repeating: UInt8(written % 251), count: NodeDataPages.largeSize + written % 7)
            default:
                let count = Int.random(in: 1..<300, using: &generator)
                return (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ written) }
            }
        }
        for parent in ["/a", "/b"] {
            zxid += 1
            tree.create(
                parent, data: nil, acl: ACL.openUnsafe, mode: .persistent, owner: 0, ttl: 0, zxid: zxid, time: 0)
        }
        var model: [String: [UInt8]?] = ["/a": nil, "/b": nil]
        var copy: (tree: DataTree, model: [String: [UInt8]?])?
        /// The paths whose data or data length differs from the model's.
        func misread(_ tree: DataTree, _ model: [String: [UInt8]?]) -> [String] {
            model.filter { path, data in
                tree.data(at: path) != data || tree[path]!.stat.dataLength != Int32(data?.count ?? 0)
            }.map(\.key).sorted()
        }
        for round in 0..<300 {
            let failing = Int.random(in: 0..<4, using: &generator) == 0
            var changed = model
            if failing { tree.startUndoLog() }
            for _ in 0..<Int.random(in: 1..<30, using: &generator) {
                let path =
                    ["/a", "/b"].randomElement(using: &generator)! + "/n\(Int.random(in: 0..<150, using: &generator))"
                zxid += 1
                let data = nextData()
                if changed[path] == nil {
                    tree.create(
                        path, data: data, acl: ACL.openUnsafe, mode: .persistent, owner: 0, ttl: 0, zxid: zxid, time: 0)
                    changed[path] = .some(data)
                } else if Int.random(in: 0..<3, using: &generator) == 0 {
                    tree.delete(path, zxid: zxid)
                    changed[path] = nil
                } else {
                    tree.setData(path, data: data, zxid: zxid, time: 0)
                    changed[path] = .some(data)
                }
            }
            if failing {
                tree.undoChanges()
            } else {
                model = changed
            }
            #expect(misread(tree, model).isEmpty, "round \(round)")
            #expect(tree.nodeCount == 4 + model.count)
            if round == 100 { copy = (tree, model) }
        }
        #expect(written > 3000)
        let kept = copy!
        #expect(misread(kept.tree, kept.model).isEmpty)
    }

    /// A page whose nodes' data keeps changing stays within twice their data: once more of it is
    /// unused than used, its nodes' data move together.
    @Test func aPageOfChangingDataStaysWithinTwiceItsData() {
        var pages = NodeDataPages(pageShift: 4)
        var references: [NodeDataPages.Reference] = []
        var contents: [[UInt8]] = []
        for place in 0..<16 {
            contents.append(Array(repeating: UInt8(place), count: 100))
            references.append(pages.store(contents[place], at: place))
        }
        var compactions = 0
        for round in 1...200 {
            let place = round % 16
            let old = references[place]
            contents[place] = Array(repeating: UInt8(truncatingIfNeeded: round), count: 50 + round % 100)
            references[place] = pages.store(contents[place], at: place)
            if pages.release(old, at: place) {
                references = pages.compact(0, references)
                compactions += 1
            }
            let used = contents.reduce(0) { $0 + $1.count }
            #expect(pages.heldBytes <= 2 * used + 150)
            #expect((0..<16).allSatisfy { pages.bytes(references[$0], at: $0) == contents[$0] })
        }
        #expect(compactions > 5)
    }

    /// Nodes created in the order of their places fill their pages with no room to spare once
    /// each page's last place has its data; the newest page alone keeps room to grow.
    @Test func pagesFilledInOrderKeepNoSpareRoom() {
        var pages = NodeDataPages(pageShift: 4)
        var references: [NodeDataPages.Reference] = []
        for place in 0..<(16 * 5 + 3) {
            references.append(pages.store([UInt8](repeating: UInt8(place), count: 90 + place % 21), at: place))
        }
        let complete = (0..<80).reduce(0) { $0 + references[$1].count }
        let newest = (80..<83).reduce(0) { $0 + references[$1].count }
        #expect(pages.heldBytes == complete + newest)
        // Rounded to the allocator's sizes, no more.
        #expect(pages.reservedBytes - newest - complete <= 5 * 16 + 256)
        #expect(
            (0..<83).allSatisfy {
                pages.bytes(references[$0], at: $0) == [UInt8](repeating: UInt8($0), count: 90 + $0 % 21)
            })
    }

    /// Sequence numbers are 32 bits: once they run out, the elements are numbered again in the
    /// same order, and the listing does not change (names that share buckets show it).
    @Test func theChildOrderSurvivesRunningOutOfSequenceNumbers() {
        var fresh = JavaHashOrder<String>()
        var worn = JavaHashOrder<String>(firstSequence: .max - 5)
        // "Aa" and "BB" hash alike; the others fill buckets of their own and share some.
        let names = ["BB", "c1", "Aa", "x", "AaAa", "BBBB", "AaBB", "BBAa", "c0", "y", "z", "c2"]
        for name in names {
            fresh.insert(name, initialCapacity: 8)
            worn.insert(name, initialCapacity: 8)
        }
        let removed = [4, 0, 7].map { index in
            let at = worn.entries.firstIndex { $0.element == names[index] }!
            _ = fresh.remove(at: fresh.entries.firstIndex { $0.element == names[index] }!)
            return worn.remove(at: at).removed
        }
        for name in ["q", "BB"] {
            fresh.insert(name, initialCapacity: 8)
            worn.insert(name, initialCapacity: 8)
        }
        #expect(worn.ordered == fresh.ordered)
        #expect(Set(worn.ordered) == Set(names).subtracting(removed.map(\.element)).union(["q", "BB"]))
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

extension DataNode {
    /// Whether each child stands where this node's list says, and is a child of this node.
    fileprivate func childrenStandWhereListed(in tree: DataTree) -> Bool {
        children.entries.enumerated().allSatisfy { index, entry in
            tree.nodes.withValue(at: Int(entry.element)) { $0.indexInParent } == Int32(index)
                && DataTree.nameHash(of: tree.nodes.key(at: Int(entry.element))) == entry.hash
        }
    }
}
