/// The xids of a connection's requests: 1, 2, 3 and so on, back to 1 after `Int32.max`, so that
/// a request's xid is never one of the special negative ones (``SpecialXid``) nor 0.
package struct XidCounter: Sendable {
    private var upcoming: Int32 = 1

    package init() {}

    /// The xid for the next request.
    package mutating func next() -> Int32 {
        let xid = upcoming
        upcoming = upcoming == Int32.max ? 1 : upcoming + 1
        return xid
    }
}
