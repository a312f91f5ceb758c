/// The nodes' data, side by side in pages instead of an array each: the data of the nodes at
/// places `p·2^pageShift ..< (p+1)·2^pageShift` (their places in the tree's node table) lie one
/// after another in page `p`, and a node keeps only where its data lies there (a ``Reference``).
/// An array of its own cost each node about 44 bytes beside its data (the array's header and the
/// allocator's), a third of a node of 100 bytes.
///
/// A change of data puts the new bytes at the end of the page and leaves the old ones unused;
/// once a page holds more unused bytes than used ones, the tree moves its nodes' data together
/// (``compact(_:_:)``), so a page never holds more than twice its nodes' data. Each page is an
/// array of its own: a snapshot's copy of the tree shares them, and a change afterwards copies
/// only the page it touches (a few kilobytes).
///
/// Data of ``largeSize`` bytes or more lies in an array of its own, under a number of its own:
/// moving it with its neighbours would cost as much as it, and it keeps the pages' offsets far
/// within 32 bits.
struct NodeDataPages: Sendable {
    /// Where a node's data lies in its page, and its length; -1 for no data (null).
    struct Reference: Sendable, Equatable {
        var offset: UInt32
        var length: Int32

        /// No data (null), as distinct from empty data.
        static let none = Reference(offset: 0, length: -1)
        /// The bit of `offset` that marks data kept apart: the rest is its number among the
        /// large ones (a page's offsets stay far below).
        fileprivate static let apart: UInt32 = 1 << 31

        var isNone: Bool { length < 0 }
        fileprivate var isApart: Bool { offset & Self.apart != 0 }
        /// The number of bytes; 0 for no data.
        var count: Int { max(Int(length), 0) }
    }

    /// Data this long or longer is kept apart, in an array of its own.
    static let largeSize = 1 << 16

    private var pages: [[UInt8]] = []
    /// The bytes in each page that no node uses.
    private var unused: [Int32] = []
    /// Data of ``largeSize`` bytes or more, by number.
    private var large: [UInt32: [UInt8]] = [:]
    /// The number the next large data may take, unless taken.
    private var nextLarge: UInt32 = 0
    /// A page holds the data of 2^pageShift places.
    private let pageShift: Int

    /// No data yet; each page holds the data of 2^`pageShift` places.
    init(pageShift: Int = 8) {
        self.pageShift = pageShift
    }

    /// The page holding the data of the node at `place`.
    func page(of place: Int) -> Int { place >> pageShift }

    /// The places whose data lies in `page`.
    func places(in page: Int) -> Range<Int> { page << pageShift..<(page + 1) << pageShift }

    /// Keeps `data` (nil: no data) as the data of the node at `place`, and returns where it lies.
    mutating func store(_ data: (some Collection<UInt8>)?, at place: Int) -> Reference {
        guard let data else { return .none }
        let length = Int32(data.count)
        if data.count >= Self.largeSize {
            while large[nextLarge] != nil { nextLarge = (nextLarge + 1) & ~Reference.apart }
            let number = nextLarge
            large[number] = Array(data)
            nextLarge = (number + 1) & ~Reference.apart
            return Reference(offset: Reference.apart | number, length: length)
        }
        guard !data.isEmpty else { return Reference(offset: 0, length: 0) }
        let page = page(of: place)
        while pages.count <= page {
            pages.append([])
            unused.append(0)
        }
        let offset = pages[page].count
        // A quarter more room at a time (an array doubles, which left a third of a page unused
        // on average once the creates stopped).
        if offset + data.count > pages[page].capacity {
            pages[page].reserveCapacity(max(offset + data.count, offset + offset / 4, 256))
        }
        pages[page].append(contentsOf: data)
        if place == places(in: page).upperBound - 1, pages[page].capacity > pages[page].count {
            // The page's last place: the nodes are mostly created in the order of their places,
            // so the page is likely complete. Its spare room (a tenth of it on average) goes.
            pages[page] = pages[page].withUnsafeBufferPointer { Array($0) }
        }
        return Reference(offset: UInt32(offset), length: length)
    }

    /// Gives up the data of the node at `place`, which no node uses any longer. Returns whether
    /// its page now holds more unused bytes than used ones (then ``compact(_:_:)`` is due).
    mutating func release(_ reference: Reference, at place: Int) -> Bool {
        if reference.isApart {
            large[reference.offset & ~Reference.apart] = nil
            return false
        }
        guard reference.length > 0 else { return false }
        let page = page(of: place)
        unused[page] += reference.length
        return Int(unused[page]) * 2 > pages[page].count
    }

    /// Lends the bytes of the node at `place` to `body`; nil for no data.
    func withBytes<Result>(
        _ reference: Reference, at place: Int, _ body: (UnsafeRawBufferPointer?) throws -> Result
    ) rethrows -> Result {
        if reference.isNone { return try body(nil) }
        if reference.length == 0 { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        if reference.isApart {
            return try large[reference.offset & ~Reference.apart]!.withUnsafeBytes { try body($0) }
        }
        return try pages[page(of: place)].withUnsafeBytes { page in
            try body(
                UnsafeRawBufferPointer(rebasing: page[Int(reference.offset)..<Int(reference.offset) + reference.count]))
        }
    }

    /// A copy of the data of the node at `place`; nil for no data.
    func bytes(_ reference: Reference, at place: Int) -> [UInt8]? {
        withBytes(reference, at: place) { $0.map { Array($0) } }
    }

    /// Moves the data of a page's nodes together, leaving out the unused bytes. `references` are
    /// those of the nodes whose data lies in `page`; the new ones are returned in their order.
    mutating func compact(_ page: Int, _ references: [Reference]) -> [Reference] {
        let used = references.reduce(0) { $0 + ($1.isApart ? 0 : $1.count) }
        var moved: [UInt8] = []
        moved.reserveCapacity(used)
        let updated = pages[page].withUnsafeBufferPointer { old in
            references.map { reference in
                guard !reference.isApart, reference.length > 0 else { return reference }
                let offset = moved.count
                moved.append(contentsOf: old[Int(reference.offset)..<Int(reference.offset) + reference.count])
                return Reference(offset: UInt32(offset), length: reference.length)
            }
        }
        pages[page] = moved
        unused[page] = 0
        return updated
    }

    /// The bytes the pages hold, used or not (for tests).
    var heldBytes: Int { pages.reduce(0) { $0 + $1.count } }

    /// The room the pages have, held or spare (for tests).
    var reservedBytes: Int { pages.reduce(0) { $0 + $1.capacity } }
}
