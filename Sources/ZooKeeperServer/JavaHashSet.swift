import ZooKeeperProtocol

/// A set of strings that iterates in the order Java's `HashSet<String>` would, given the same
/// history of insertions and removals: Apache ZooKeeper lists a node's children in that order.
///
/// Java's table has a capacity (a power of two) that doubles when the set outgrows three
/// quarters of it, or when a bucket's chain grows past eight while the table is smaller than 64,
/// and never shrinks. An element's bucket is its `String.hashCode`, spread (`h ^ h >>> 16`), masked
/// by the capacity; iteration goes bucket by bucket, and within a bucket in the order the
/// elements came (resizing keeps that order). So the order follows from each element's hash and
/// insertion sequence and the capacity the set's history reached, which is all this keeps.
///
/// Not reproduced: the order inside a bucket that Java turned into a tree (more than eight names
/// of one bucket in a table of 64 or more), which no ordinary naming reaches.
struct JavaHashSet: Sendable {
    /// Each element's spread hash and insertion sequence. Made by `init()`, not a `[:]` literal,
    /// which built each node's empty set anew (3 % of a restart at a million nodes).
    private var entries = [ExactString: (hash: UInt32, sequence: UInt64)]()
    private var nextSequence: UInt64 = 0
    /// Java's table capacity: 0 until the first insertion (Java allocates the table then). 32
    /// bits, like the next field: every node has a set, most of them empty.
    private var storedCapacity: UInt32 = 0
    /// The capacity of the first table: `new HashSet<>(8)` for a node's children.
    private let initialCapacity: UInt32

    init(initialCapacity: Int = 8) {
        self.initialCapacity = UInt32(initialCapacity)
    }

    /// Java's table capacity: 0 until the first insertion (Java allocates the table then).
    var capacity: Int { Int(storedCapacity) }

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    func contains(_ element: String) -> Bool { entries[ExactString(element)] != nil }

    /// Adds `element` unless present (then nothing changes, as in Java); true when added.
    @discardableResult
    mutating func insert(_ element: String) -> Bool {
        let key = ExactString(element)
        let hash = Self.spreadHash(element)
        // One lookup: the element goes in, and what was there, if anything, goes back.
        if let present = entries.updateValue((hash, nextSequence), forKey: key) {
            entries[key] = present
            return false
        }
        if storedCapacity == 0 { storedCapacity = initialCapacity }
        nextSequence += 1
        // A chain longer than eight in a small table makes Java resize instead of building a
        // tree; the table holds at most 48 elements then, so counting them is cheap.
        if storedCapacity < 64 {
            let mask = storedCapacity - 1
            let chain = entries.values.lazy.filter { $0.hash & mask == hash & mask }.count
            if chain > 8 { storedCapacity *= 2 }
        }
        if entries.count > capacity / 4 * 3 { storedCapacity *= 2 }
        return true
    }

    /// Makes room for `count` elements without changing Java's capacity (the order stays).
    mutating func reserveCapacity(_ count: Int) {
        entries.reserveCapacity(count)
    }

    /// Where an element stands in Java's iteration order: its spread hash and insertion sequence.
    typealias Place = (hash: UInt32, sequence: UInt64)

    /// Removes `element`, returning where it stood, or nil when it was not there. The capacity
    /// stays.
    @discardableResult
    mutating func remove(_ element: String) -> Place? {
        entries.removeValue(forKey: ExactString(element))
    }

    /// Puts back an element ``remove(_:)`` took out, where it stood: as if never removed.
    mutating func restore(_ element: String, at place: Place) {
        entries[ExactString(element)] = place
    }

    /// Takes out an element just inserted and sets the capacity back to what it was before: as
    /// if never inserted (Java's order depends on only the capacity and the relative sequences).
    mutating func undoInsert(_ element: String, capacity: Int) {
        entries.removeValue(forKey: ExactString(element))
        storedCapacity = UInt32(capacity)
    }

    /// The elements in Java's iteration order: bucket by bucket, each bucket in insertion order.
    /// A counting sort by bucket, so that a million children list in linear time.
    var ordered: [String] {
        guard !entries.isEmpty else { return [] }
        let mask = UInt32(capacity - 1)
        let all = Array(entries)
        // starts[b] is where bucket b begins in the order.
        var starts = [Int32](repeating: 0, count: capacity + 1)
        for entry in all { starts[Int(entry.value.hash & mask) + 1] += 1 }
        for bucket in 0..<capacity { starts[bucket + 1] += starts[bucket] }
        var next = starts
        var order = [Int32](repeating: 0, count: all.count)
        for (index, entry) in all.enumerated() {
            let bucket = Int(entry.value.hash & mask)
            order[Int(next[bucket])] = Int32(index)
            next[bucket] += 1
        }
        for bucket in 0..<capacity where starts[bucket + 1] - starts[bucket] > 1 {
            order[Int(starts[bucket])..<Int(starts[bucket + 1])].sort {
                all[Int($0)].value.sequence < all[Int($1)].value.sequence
            }
        }
        return order.map { all[Int($0)].key.string }
    }

    /// The elements in no particular order, for work that does not show it.
    var unordered: some Sequence<String> { entries.keys.lazy.map(\.string) }

    /// Java's `HashMap.hash` of a string: its `hashCode` (over UTF-16 code units) with the high
    /// half folded into the low half.
    static func spreadHash(_ string: String) -> UInt32 {
        // An ASCII name's UTF-16 code units are its bytes: hashing them skips transcoding.
        var string = string
        let ascii: UInt32? = string.withUTF8 { bytes in
            var hash: UInt32 = 0
            for byte in bytes {
                guard byte < 0x80 else { return nil }
                hash = hash &* 31 &+ UInt32(byte)
            }
            return hash
        }
        let hash = ascii ?? string.utf16.reduce(0) { $0 &* 31 &+ UInt32($1) }
        return hash ^ (hash >> 16)
    }
}
