import CPrefetch
import ZooKeeperProtocol

/// Where each key of an ``ExactDictionary`` lies in its arrays: an open-addressing hash table
/// (linear probing) of places only, 8 bytes a slot, the keys themselves being the dictionary's.
/// A Swift dictionary from key to place took 20 bytes a slot (about 40 bytes a node at a million
/// nodes, where this takes 16).
struct PlaceIndex: Sendable {
    /// 0 for an empty slot, else the key's hash (its low 32 bits) above its place plus one.
    private var slots: [UInt64] = []
    private var count = 0

    /// The hash of a key, as the index files it.
    static func hash(_ key: ExactString) -> UInt32 { UInt32(truncatingIfNeeded: key.hashValue) }

    private var mask: Int { slots.count - 1 }

    private static func slot(hash: UInt32, place: Int) -> UInt64 { UInt64(hash) << 32 | UInt64(place + 1) }
    private static func place(in slot: UInt64) -> Int { Int(slot & 0xFFFF_FFFF) - 1 }
    private static func hash(in slot: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: slot >> 32) }

    /// The place of `key`, whose hash is `hash`, if the index holds it; `keyAt` gives the
    /// dictionary's key at a place.
    func place(of key: ExactString, hash: UInt32, keyAt: (Int) -> ExactString) -> Int? {
        guard !slots.isEmpty else { return nil }
        var index = Int(hash) & mask
        while true {
            let slot = slots[index]
            if slot == 0 { return nil }
            if Self.hash(in: slot) == hash {
                let place = Self.place(in: slot)
                if keyAt(place) == key { return place }
            }
            index = (index + 1) & mask
        }
    }

    /// Asks the processor to fetch the slot where a lookup of `hash` starts, ahead of the lookup
    /// (a lookup that misses the caches waits on memory for most of its time).
    func prefetch(hash: UInt32) {
        guard !slots.isEmpty else { return }
        slots.withUnsafeBufferPointer { cprefetch($0.baseAddress! + (Int(hash) & mask)) }
    }

    /// Files a place under a hash; the key is not in the index.
    mutating func insert(_ place: Int, hash: UInt32) {
        if (count + 1) * 4 > slots.count * 3 { resize(minimumCount: count + 1) }
        var index = Int(hash) & mask
        while slots[index] != 0 { index = (index + 1) & mask }
        slots[index] = Self.slot(hash: hash, place: place)
        count += 1
    }

    /// Removes the place filed under `hash`, moving later slots of its run back so that no lookup
    /// stops early at the gap.
    mutating func remove(_ place: Int, hash: UInt32) {
        var gap = index(of: place, hash: hash)
        slots[gap] = 0
        count -= 1
        var index = (gap + 1) & mask
        while slots[index] != 0 {
            let home = Int(Self.hash(in: slots[index])) & mask
            // The slot may move into the gap when its home is not between the gap and itself.
            let fromHome = (index - home) & mask
            let fromGap = (index - gap) & mask
            if fromHome >= fromGap {
                slots[gap] = slots[index]
                slots[index] = 0
                gap = index
            }
            index = (index + 1) & mask
        }
    }

    private func index(of place: Int, hash: UInt32) -> Int {
        var index = Int(hash) & mask
        while Self.place(in: slots[index]) != place { index = (index + 1) & mask }
        return index
    }

    /// A table of at least `minimumCount` / 0.75 slots (a power of two), every place filed again
    /// by the hash its slot keeps (no key is hashed again).
    private mutating func resize(minimumCount: Int) {
        var capacity = max(8, slots.count)
        while minimumCount * 4 > capacity * 3 { capacity *= 2 }
        let old = slots
        slots = [UInt64](repeating: 0, count: capacity)
        for slot in old where slot != 0 {
            let hash = Self.hash(in: slot)
            var index = Int(hash) & mask
            while slots[index] != 0 { index = (index + 1) & mask }
            slots[index] = slot
        }
    }
}
