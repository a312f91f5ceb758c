import ZooKeeperProtocol

/// Values by path, the paths compared exactly (see ``ExactString``).
///
/// The values lie side by side in one array; the hash table holds only each path's place in it.
/// A hash table keeps up to half its slots empty, which for a value as large as a node costs
/// more than the node: here the empty slots are those of small places.
struct ExactDictionary<Value: Sendable>: Sendable {
    private var places: [ExactString: Int32] = [:]
    /// The key of each value, for the places to follow a value moved in a removal.
    private var keys: [ExactString] = []
    /// Never nil at rest: optional so that `_modify` can lend a value in place and learn
    /// whether it was removed.
    private var values: [Value?] = []

    subscript(key: String) -> Value? {
        get { places[ExactString(key)].map { values[Int($0)]! } }
        set { self[exact: ExactString(key)] = newValue }
        _modify { yield &self[exact: ExactString(key)] }
    }

    private subscript(exact key: ExactString) -> Value? {
        get { places[key].map { values[Int($0)]! } }
        set {
            if let place = places[key].map(Int.init) {
                if let newValue { values[place] = newValue } else { remove(at: place) }
            } else if let newValue {
                places[key] = Int32(values.count)
                keys.append(key)
                values.append(newValue)
            }
        }
        _modify {
            if let place = places[key].map(Int.init) {
                yield &values[place]
                if values[place] == nil { remove(at: place) }
            } else {
                var added: Value? = nil
                yield &added
                if let added { self[exact: key] = added }
            }
        }
    }

    /// Lends the value of `key` to `body` where it lies, without a copy; nil when absent.
    func withValue<Result>(forKey key: String, _ body: (borrowing Value) -> Result) -> Result? {
        guard let place = places[ExactString(key)] else { return nil }
        return values.withUnsafeBufferPointer { values in
            switch values[Int(place)] {
            case .some(let value): body(value)
            case .none: nil
            }
        }
    }

    /// Sets the value of `key` and returns its place, which ``modify(at:_:)`` takes instead of
    /// the key (saving a lookup) until the next removal, with the value it replaced, if any.
    mutating func set(_ key: String, _ value: consuming Value) -> (place: Int, replaced: Value?) {
        let key = ExactString(key)
        if let place = places.updateValue(Int32(values.count), forKey: key).map(Int.init) {
            places[key] = Int32(place)
            let replaced = values[place]
            values[place] = value
            return (place, replaced)
        }
        keys.append(key)
        values.append(value)
        return (values.count - 1, nil)
    }

    /// Changes the value at a place ``set(_:_:)`` returned.
    mutating func modify<Result>(at place: Int, _ body: (inout Value) -> Result) -> Result {
        body(&values[place]!)
    }

    mutating func reserveCapacity(_ count: Int) {
        places.reserveCapacity(count)
        keys.reserveCapacity(count)
        values.reserveCapacity(count)
    }

    var count: Int { values.count }
    var isEmpty: Bool { values.isEmpty }

    @discardableResult
    mutating func removeValue(forKey key: String) -> Value? {
        guard let place = places[ExactString(key)].map(Int.init) else { return nil }
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
        places[keys[place]] = nil
        let last = values.count - 1
        if place != last {
            values.swapAt(place, last)
            keys.swapAt(place, last)
            places[keys[place]] = Int32(place)
        }
        values.removeLast()
        keys.removeLast()
    }
}
