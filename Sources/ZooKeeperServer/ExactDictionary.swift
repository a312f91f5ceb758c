import ZooKeeperProtocol

/// Values by path, the paths compared exactly (see ``ExactString``).
///
/// The values lie side by side (in pages, below); the hash table (``PlaceIndex``) holds only each
/// path's place among them. A hash table keeps up to half its slots empty, which for a value as large
/// as a node costs more than the node: here the empty slots are those of small places.
///
/// A value keeps its place for as long as its key is present: a removal leaves a gap, which the
/// next insertion fills. So places can stand for values elsewhere (a node's children are their
/// places).
///
/// Keys and values lie in pages of a few thousand places each, each page an array of its own: a
/// copy of the dictionary (a snapshot being written holds one) shares the pages, and a change
/// afterwards copies only the page it touches. In one array, the first change after a snapshot
/// began copied every node, about 100 MB on the event loop at a million nodes.
struct ExactDictionary<Value: Sendable>: Sendable {
    /// The keys and values by place, without the index by key: what a snapshot reads (holding the
    /// index too, it made the first change after it began copy the whole index, 16 MB at a
    /// million nodes, on the event loop).
    struct Pages: Sendable {
        /// The key of each place (empty in a gap), by page.
        fileprivate var keyPages: [[ExactString]] = []
        /// The value of each place, by page: nil in a gap; optional too so that `_modify` can
        /// lend a value in place and learn whether it was removed.
        fileprivate var valuePages: [[Value?]] = []
        /// A page holds 2^pageShift places.
        fileprivate let pageShift: Int

        fileprivate var pageMask: Int { (1 << pageShift) - 1 }

        /// The value at a place, nil in a gap; read and written in its page, in place.
        fileprivate subscript(at place: Int) -> Value? {
            get { valuePages[place >> pageShift][place & pageMask] }
            _modify { yield &valuePages[place >> pageShift][place & pageMask] }
        }

        /// The key at a place, empty in a gap; read and written in its page, in place.
        fileprivate subscript(keyAt place: Int) -> ExactString {
            get { keyPages[place >> pageShift][place & pageMask] }
            _modify { yield &keyPages[place >> pageShift][place & pageMask] }
        }

        /// The key at a place that holds a value.
        func key(at place: Int) -> String { self[keyAt: place].string }

        /// Lends the value at `place` to `body` where it lies, without a copy.
        func withValue<Result>(at place: Int, _ body: (borrowing Value) throws -> Result) rethrows -> Result {
            try valuePages[place >> pageShift].withUnsafeBufferPointer { values in
                switch values[place & pageMask] {
                case .some(let value): try body(value)
                case .none: preconditionFailure("no value at place \(place)")
                }
            }
        }

        /// Lends each value to `body` where it lies, in the order of their places (the order
        /// they lie in memory, the cheapest to go through).
        func forEachValue(_ body: (borrowing Value) -> Void) {
            for page in valuePages {
                page.withUnsafeBufferPointer { values in
                    for case .some(let value) in values { body(value) }
                }
            }
        }
    }

    /// The keys and values by place.
    private(set) var pages: Pages
    private var places = PlaceIndex()
    /// The places used so far, gaps included.
    private var end = 0
    /// The gaps, the next one to fill last.
    private var gaps: [Int32] = []

    /// An empty dictionary whose pages hold 2^`pageShift` places each.
    init(pageShift: Int = 12) {
        pages = Pages(pageShift: pageShift)
    }

    private var pageMask: Int { pages.pageMask }

    /// The value at a place, nil in a gap; read and written in its page, in place.
    private subscript(at place: Int) -> Value? {
        get { pages[at: place] }
        _modify { yield &pages[at: place] }
    }

    /// The key at a place, empty in a gap; read and written in its page, in place.
    private subscript(keyAt place: Int) -> ExactString {
        get { pages[keyAt: place] }
        _modify { yield &pages[keyAt: place] }
    }

    /// The hash by which the dictionary files `key`.
    static func hash(of key: String) -> UInt32 { PlaceIndex.hash(ExactString(key)) }

    /// Asks the processor to fetch where a key of this ``hash(of:)`` is looked up, ahead of
    /// ``set(_:hash:_:)``.
    func prefetch(hash: UInt32) { places.prefetch(hash: hash) }

    /// The place of `key`, if present.
    func place(of key: String) -> Int? { place(of: ExactString(key)) }

    /// The place of `key`, whose ``hash(of:)`` is `hash`, if present.
    func place(of key: String, hash: UInt32) -> Int? { place(of: ExactString(key), hash: hash) }

    private func place(of key: ExactString, hash: UInt32) -> Int? {
        places.place(of: key, hash: hash) { self[keyAt: $0] }
    }

    private func place(of key: ExactString) -> Int? { place(of: key, hash: PlaceIndex.hash(key)) }

    subscript(key: String) -> Value? {
        get { place(of: ExactString(key)).map { self[at: $0]! } }
        set { self[exact: ExactString(key)] = newValue }
        _modify { yield &self[exact: ExactString(key)] }
    }

    private subscript(exact key: ExactString) -> Value? {
        get { place(of: key).map { self[at: $0]! } }
        set {
            let hash = PlaceIndex.hash(key)
            if let place = place(of: key, hash: hash) {
                if let newValue { self[at: place] = newValue } else { remove(at: place, hash: hash) }
            } else if let newValue {
                add(key, hash: hash, newValue)
            }
        }
        _modify {
            let hash = PlaceIndex.hash(key)
            if let place = place(of: key, hash: hash) {
                yield &self[at: place]
                if self[at: place] == nil { remove(at: place, hash: hash) }
            } else {
                var added: Value? = nil
                yield &added
                if let added { add(key, hash: hash, added) }
            }
        }
    }

    /// Lends the value of `key` to `body` where it lies, without a copy; nil when absent.
    func withValue<Result>(forKey key: String, _ body: (borrowing Value) -> Result) -> Result? {
        guard let place = place(of: ExactString(key)) else { return nil }
        return withValue(at: place, body)
    }

    /// Lends the value at `place` to `body` where it lies, without a copy.
    func withValue<Result>(at place: Int, _ body: (borrowing Value) throws -> Result) rethrows -> Result {
        try pages.withValue(at: place, body)
    }

    /// Sets the value of `key` and returns its place, with the value it replaced, if any.
    mutating func set(_ key: String, _ value: consuming Value) -> (place: Int, replaced: Value?) {
        set(key, hash: Self.hash(of: key), value)
    }

    /// ``set(_:_:)`` with the key's ``hash(of:)`` taken beforehand (perhaps on another thread).
    mutating func set(_ key: String, hash: UInt32, _ value: consuming Value) -> (place: Int, replaced: Value?) {
        let key = ExactString(key)
        if let place = place(of: key, hash: hash) {
            let replaced = self[at: place]
            self[at: place] = value
            return (place, replaced)
        }
        return (add(key, hash: hash, value), nil)
    }

    /// Files a new key in the last gap, or at the end.
    @discardableResult
    private mutating func add(_ key: ExactString, hash: UInt32, _ value: consuming Value) -> Int {
        if let gap = gaps.popLast() {
            let place = Int(gap)
            places.insert(place, hash: hash)
            self[keyAt: place] = key
            self[at: place] = value
            return place
        }
        let place = end
        if place & pageMask == 0 {
            pages.keyPages.append([])
            pages.keyPages[pages.keyPages.count - 1].reserveCapacity(pageMask + 1)
            pages.valuePages.append([])
            pages.valuePages[pages.valuePages.count - 1].reserveCapacity(pageMask + 1)
        }
        places.insert(place, hash: hash)
        pages.keyPages[pages.keyPages.count - 1].append(key)
        pages.valuePages[pages.valuePages.count - 1].append(value)
        end += 1
        return place
    }

    /// The key at a place ``set(_:_:)`` or ``place(of:)`` returned.
    func key(at place: Int) -> String { pages.key(at: place) }

    /// Changes the value at a place ``set(_:_:)`` or ``place(of:)`` returned.
    mutating func modify<Result>(at place: Int, _ body: (inout Value) -> Result) -> Result {
        body(&self[at: place]!)
    }

    /// Makes room for the pages of `count` values and keys; the index grows as keys come (which
    /// copies 8 bytes a key and hashes none).
    mutating func reserveCapacity(_ count: Int) {
        pages.keyPages.reserveCapacity(count >> pages.pageShift + 1)
        pages.valuePages.reserveCapacity(count >> pages.pageShift + 1)
    }

    var count: Int { end - gaps.count }
    var isEmpty: Bool { count == 0 }

    /// Removes the value of `key`, if present, and returns it with the place it had.
    @discardableResult
    mutating func removeValue(forKey key: String) -> (place: Int, value: Value)? {
        let key = ExactString(key)
        let hash = PlaceIndex.hash(key)
        guard let place = place(of: key, hash: hash), let value = self[at: place] else { return nil }
        remove(at: place, hash: hash)
        return (place, value)
    }

    /// Whether a value lies at `place` (not a gap, nor past the end).
    func hasValue(at place: Int) -> Bool {
        place < end && self[at: place] != nil
    }

    /// Every key and value, in no particular order.
    var pairs: some Sequence<(key: String, value: Value)> {
        zip(pages.keyPages.joined(), pages.valuePages.joined()).lazy.compactMap { key, value in
            value.map { (key: key.string, value: $0) }
        }
    }

    /// Removes the value at `place`, whose key's hash is `hash`, leaving a gap.
    private mutating func remove(at place: Int, hash: UInt32) {
        places.remove(place, hash: hash)
        self[at: place] = nil
        self[keyAt: place] = ExactString("")
        gaps.append(Int32(place))
    }
}
