import ZooKeeperProtocol

/// Values by path, the paths compared exactly (see ``ExactString``).
struct ExactDictionary<Value: Sendable>: Sendable {
    private var storage: [ExactString: Value] = [:]

    subscript(key: String) -> Value? {
        get { storage[ExactString(key)] }
        set { storage[ExactString(key)] = newValue }
        _modify { yield &storage[ExactString(key)] }
    }

    var count: Int { storage.count }
    var isEmpty: Bool { storage.isEmpty }

    @discardableResult
    mutating func removeValue(forKey key: String) -> Value? {
        storage.removeValue(forKey: ExactString(key))
    }

    /// Every key and value, in no particular order.
    var pairs: some Sequence<(key: String, value: Value)> {
        storage.lazy.map { (key: $0.key.string, value: $0.value) }
    }
}
