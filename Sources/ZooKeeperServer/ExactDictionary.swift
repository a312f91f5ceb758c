import ZooKeeperProtocol

/// Values by path, the paths compared exactly (see ``ExactString``).
///
/// The values lie side by side in one array; the hash table (``PlaceIndex``) holds only each
/// path's place in it. A hash table keeps up to half its slots empty, which for a value as large
/// as a node costs more than the node: here the empty slots are those of small places.
struct ExactDictionary<Value: Sendable>: Sendable {
    private var places = PlaceIndex()
    /// The key of each value, for the places to follow a value moved in a removal.
    private var keys: [ExactString] = []
    /// Never nil at rest: optional so that `_modify` can lend a value in place and learn
    /// whether it was removed.
    private var values: [Value?] = []

    private func place(of key: ExactString, hash: UInt32) -> Int? {
        places.place(of: key, hash: hash, keys: keys)
    }

    private func place(of key: ExactString) -> Int? { place(of: key, hash: PlaceIndex.hash(key)) }

    subscript(key: String) -> Value? {
        get { place(of: ExactString(key)).map { values[$0]! } }
        set { self[exact: ExactString(key)] = newValue }
        _modify { yield &self[exact: ExactString(key)] }
    }

    private subscript(exact key: ExactString) -> Value? {
        get { place(of: key).map { values[$0]! } }
        set {
            let hash = PlaceIndex.hash(key)
            if let place = place(of: key, hash: hash) {
                if let newValue { values[place] = newValue } else { remove(at: place) }
            } else if let newValue {
                append(key, hash: hash, newValue)
            }
        }
        _modify {
            let hash = PlaceIndex.hash(key)
            if let place = place(of: key, hash: hash) {
                yield &values[place]
                if values[place] == nil { remove(at: place) }
            } else {
                var added: Value? = nil
                yield &added
                if let added { append(key, hash: hash, added) }
            }
        }
    }

    /// Lends the value of `key` to `body` where it lies, without a copy; nil when absent.
    func withValue<Result>(forKey key: String, _ body: (borrowing Value) -> Result) -> Result? {
        guard let place = place(of: ExactString(key)) else { return nil }
        return values.withUnsafeBufferPointer { values in
            switch values[place] {
            case .some(let value): body(value)
            case .none: nil
            }
        }
    }

    /// Sets the value of `key` and returns its place, which ``modify(at:_:)`` takes instead of
    /// the key (saving a lookup) until the next removal, with the value it replaced, if any.
    mutating func set(_ key: String, _ value: consuming Value) -> (place: Int, replaced: Value?) {
        let key = ExactString(key)
        let hash = PlaceIndex.hash(key)
        if let place = place(of: key, hash: hash) {
            let replaced = values[place]
            values[place] = value
            return (place, replaced)
        }
        append(key, hash: hash, value)
        return (values.count - 1, nil)
    }

    private mutating func append(_ key: ExactString, hash: UInt32, _ value: consuming Value) {
        places.insert(values.count, hash: hash)
        keys.append(key)
        values.append(value)
    }

    /// The key at a place ``set(_:_:)`` returned.
    func key(at place: Int) -> String { keys[place].string }

    /// Changes the value at a place ``set(_:_:)`` returned.
    mutating func modify<Result>(at place: Int, _ body: (inout Value) -> Result) -> Result {
        body(&values[place]!)
    }

    /// Makes room for `count` values and keys; the index grows as keys come (which copies 8
    /// bytes a key and hashes none). Room reserved and never used costs no memory until written.
    mutating func reserveCapacity(_ count: Int) {
        keys.reserveCapacity(count)
        values.reserveCapacity(count)
    }

    var count: Int { values.count }
    var isEmpty: Bool { values.isEmpty }

    @discardableResult
    mutating func removeValue(forKey key: String) -> Value? {
        guard let place = place(of: ExactString(key)) else { return nil }
        let value = values[place]
        remove(at: place)
        return value
    }

    /// Every key and value, in no particular order.
    var pairs: some Sequence<(key: String, value: Value)> {
        zip(keys, values).lazy.map { (key: $0.string, value: $1!) }
    }

    /// Removes the value at `place`, moving the last one there.
    private mutating func remove(at place: Int) {
        places.remove(place, hash: PlaceIndex.hash(keys[place]))
        let last = values.count - 1
        if place != last {
            places.move(last, to: place, hash: PlaceIndex.hash(keys[last]))
            values.swapAt(place, last)
            keys.swapAt(place, last)
        }
        values.removeLast()
        keys.removeLast()
    }
}
