import ZooKeeperProtocol

/// Elements kept in the order Java's `HashSet<String>` would iterate their names, given the same
/// history of insertions and removals: Apache ZooKeeper lists a node's children in that order.
///
/// Java's table has a capacity (a power of two) that doubles when the set outgrows three
/// quarters of it, or when a bucket's chain grows past eight while the table is smaller than 64,
/// and never shrinks. An element's bucket is its name's `String.hashCode`, spread
/// (`h ^ h >>> 16`, ``spreadHash(_:)``), masked by the capacity; iteration goes bucket by bucket,
/// and within a bucket in the order the elements came (resizing keeps that order). So the order
/// follows from each element's hash and insertion sequence and the capacity the set's history
/// reached, which is all this keeps, beside the element (a node's children are their places in
/// the tree, 12 bytes a child: their names are the tree's paths already).
///
/// The elements lie in an array in no particular order; a removal moves the last one into the
/// gap, so an element's index (``insert(_:hash:initialCapacity:)`` returns it) holds until the
/// next removal, which tells what it moved.
///
/// Not reproduced: the order inside a bucket that Java turned into a tree (more than eight names
/// of one bucket in a table of 64 or more), which no ordinary naming reaches.
struct JavaHashOrder<Element: Sendable>: Sendable {
    /// An element with where it stands in Java's order.
    struct Entry: Sendable {
        var element: Element
        var hash: UInt32
        var sequence: UInt32
    }

    private(set) var entries: [Entry] = []
    /// Java's table capacity: 0 until the first insertion (Java allocates the table then).
    private var storedCapacity: UInt32 = 0
    private var nextSequence: UInt32 = 0

    init() {}

    /// An empty set whose insertions are numbered from `firstSequence` on (tests reach the
    /// renumbering with it).
    init(firstSequence: UInt32) {
        nextSequence = firstSequence
    }

    /// Java's table capacity: 0 until the first insertion (Java allocates the table then).
    var capacity: Int { Int(storedCapacity) }

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    /// Adds `element`, whose name's spread hash is `hash`; the caller knows it is not present.
    /// `initialCapacity` is that of Java's first table (`new HashSet<>(8)` for a node's
    /// children). Returns the element's index.
    @discardableResult
    mutating func insert(_ element: Element, hash: UInt32, initialCapacity: Int) -> Int {
        if nextSequence == .max { renumber() }
        entries.append(Entry(element: element, hash: hash, sequence: nextSequence))
        nextSequence += 1
        if storedCapacity == 0 { storedCapacity = UInt32(initialCapacity) }
        // A chain longer than eight in a small table makes Java resize instead of building a
        // tree; the table holds at most 48 elements then, so counting them is cheap.
        if storedCapacity < 64 {
            let mask = storedCapacity - 1
            let chain = entries.lazy.filter { $0.hash & mask == hash & mask }.count
            if chain > 8 { storedCapacity *= 2 }
        }
        if entries.count > capacity / 4 * 3 { storedCapacity *= 2 }
        return entries.count - 1
    }

    /// Numbers the elements again from 0, in the same order, once 2³² insertions have used up
    /// the sequence numbers. (An element a failed multi puts back keeps the number it had, which
    /// only a multi that spans this renumbering would see.)
    private mutating func renumber() {
        let order = entries.indices.sorted { entries[$0].sequence < entries[$1].sequence }
        for (sequence, index) in order.enumerated() { entries[index].sequence = UInt32(sequence) }
        nextSequence = UInt32(entries.count)
    }

    /// Makes room for `count` elements without changing Java's capacity (the order stays).
    mutating func reserveCapacity(_ count: Int) {
        entries.reserveCapacity(count)
    }

    /// Removes the element at `index`, moving the last one into its place. Returns the entry
    /// removed (where it stood in the order, for ``restore(_:)``) and the element moved to
    /// `index`, if any. The capacity stays.
    mutating func remove(at index: Int) -> (removed: Entry, moved: Element?) {
        let removed = entries[index]
        let last = entries.removeLast()
        guard index < entries.count else { return (removed, nil) }
        entries[index] = last
        return (removed, last.element)
    }

    /// Puts back an entry ``remove(at:)`` took out, where it stood in the order: as if never
    /// removed. Returns its index.
    mutating func restore(_ entry: Entry) -> Int {
        entries.append(entry)
        return entries.count - 1
    }

    /// Sets the capacity back to what it was before an insertion that was taken back (with
    /// ``remove(at:)``): as if never inserted (Java's order depends on only the capacity and the
    /// relative sequences).
    mutating func undoGrowth(to capacity: Int) {
        storedCapacity = UInt32(capacity)
    }

    /// The elements in Java's iteration order: bucket by bucket, each bucket in insertion order.
    /// A counting sort by bucket, so that a million children list in linear time.
    var ordered: [Element] {
        guard !entries.isEmpty else { return [] }
        let mask = UInt32(capacity - 1)
        // bounds[b + 1] is first where bucket b ends in the order; each entry placed moves it
        // back by one, so that it ends up where bucket b begins (and bounds[b + 2] where it
        // ends). One table the size of Java's, not two.
        var bounds = [Int32](repeating: 0, count: capacity + 2)
        for entry in entries { bounds[Int(entry.hash & mask) + 1] += 1 }
        for bucket in 0..<capacity { bounds[bucket + 1] += bounds[bucket] }
        bounds[capacity + 1] = Int32(entries.count)
        var order = [Int32](repeating: 0, count: entries.count)
        for (index, entry) in entries.enumerated() {
            let bucket = Int(entry.hash & mask)
            bounds[bucket + 1] -= 1
            order[Int(bounds[bucket + 1])] = Int32(index)
        }
        for bucket in 0..<capacity where bounds[bucket + 2] - bounds[bucket + 1] > 1 {
            order[Int(bounds[bucket + 1])..<Int(bounds[bucket + 2])].sort {
                entries[Int($0)].sequence < entries[Int($1)].sequence
            }
        }
        return order.map { entries[Int($0)].element }
    }

    /// Java's `HashMap.hash` of a name: its `hashCode` (over UTF-16 code units) with the high
    /// half folded into the low half.
    static func spreadHash(_ name: Substring) -> UInt32 {
        // An ASCII name's UTF-16 code units are its bytes: hashing them skips transcoding.
        var name = name
        let ascii: UInt32? = name.withUTF8 { bytes in
            var hash: UInt32 = 0
            for byte in bytes {
                guard byte < 0x80 else { return nil }
                hash = hash &* 31 &+ UInt32(byte)
            }
            return hash
        }
        let hash = ascii ?? name.utf16.reduce(0) { $0 &* 31 &+ UInt32($1) }
        return hash ^ (hash >> 16)
    }
}

extension JavaHashOrder where Element == String {
    /// Adds a name the set does not hold.
    mutating func insert(_ name: String, initialCapacity: Int) {
        insert(name, hash: Self.spreadHash(Substring(name)), initialCapacity: initialCapacity)
    }
}
