/// A path or a name compared as ZooKeeper compares them: code unit by code unit. Swift's `String`
/// equality follows canonical equivalence, under which "é" written as one code point and "e"
/// followed by a combining accent are equal; to ZooKeeper they are two different nodes.
struct ExactString: Hashable, Sendable {
    let string: String

    init(_ string: String) {
        self.string = string
    }

    static func == (left: ExactString, right: ExactString) -> Bool {
        left.string.utf8.elementsEqual(right.string.utf8)
    }

    func hash(into hasher: inout Hasher) {
        var string = string
        string.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

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
