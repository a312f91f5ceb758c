import ZooKeeperProtocol

/// The in-memory tree: nodes by full path, and the mutations ZooKeeper's transactions apply.
///
/// Pure state with no I/O; the request processor validates requests and decides the order of
/// errors, the tree applies what passed. Every mutation takes the zxid and time of its transaction.
struct DataTree: Sendable {
    /// The nodes by path, paths compared code unit by code unit, as ZooKeeper does.
    private(set) var nodes = ExactDictionary<DataNode>()
    /// The nodes' data, by their places.
    private var nodeData = NodeDataPages()
    /// Ephemeral node paths by owning session.
    private var ephemerals: [Int64: PathSet] = [:]
    /// Containers and TTL nodes, which the reaper checks (Apache keeps them apart too): checking
    /// every node took the event loop for about a tenth of a second at a million nodes.
    private var reapable: Set<ExactString> = []
    /// Paths with a quota (a `zookeeper_limits` node under /zookeeper/quota), whose usage the
    /// tree keeps in their `zookeeper_stats` node.
    var quotaPaths: Set<ExactString> = []
    /// Each ACL list the nodes hold, once: nodes with equal lists share this one's storage
    /// (as Apache's ACL cache does), instead of each holding a copy decoded from its request.
    private var aclLists: Set<[ACL]> = []
    /// What the changes since ``startUndoLog()`` did, to take back; nil when not recording.
    private var undoLog: [Undo]?

    /// The special nodes every tree has; they cannot be deleted.
    static let systemPaths: Set<String> = ["/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"]

    init() {
        let open = ACL.openUnsafe
        let root = file("/", DataNode(acl: open, zxid: 0, time: 0), data: []).place
        let zookeeper = file("/zookeeper", DataNode(acl: open, zxid: 0, time: 0), data: []).place
        let quota = file("/zookeeper/quota", DataNode(acl: open, zxid: 0, time: 0), data: []).place
        let config = file("/zookeeper/config", DataNode(acl: ACL.readUnsafe, zxid: 0, time: 0), data: []).place
        link(zookeeper, toParentAt: root)
        link(quota, toParentAt: zookeeper)
        link(config, toParentAt: zookeeper)
        nodes.modify(at: config) { $0.aversion = -1 }
    }

    /// The tree a snapshot holds, restored node by node in the snapshot's order: its nodes, with
    /// children and ephemerals derived from them. Each parent gets its children in the order
    /// given, as Apache ZooKeeper's do when it loads a snapshot (written in
    /// ``Contents/visitInPreorder(_:)``). Each node comes with the place of its parent among the nodes
    /// before it (-1 for the root, and for a node without one, which is left out of the tree's
    /// children), so that no parent is looked up by its path.
    ///
    /// The children are added at the end, when their number is known: a set of a million
    /// children grown name by name took a fifth of a restart.
    struct Restoration: Sendable {
        private var tree = DataTree(nodes: ExactDictionary())
        /// The snapshot's ACL numbers stand for lists interned here once each; most nodes have
        /// the last one's.
        private var interned: [Int64: [ACL]] = [:]
        private var last: (key: Int64, acl: [ACL])? = nil
        /// Where each node went (a path given twice goes where it went first).
        private var places: [Int32] = []
        /// Where each node's parent is among the nodes (-1: none).
        private var parents: [Int32] = []
        /// The ``DataTree/nameHash(of:)`` of each node.
        private var nameHashes: [UInt32] = []

        /// What a node's path is filed and ordered by, taken before the node is added (on the
        /// thread that reads the snapshot, while another builds the tree: hashing was a tenth of
        /// the building).
        struct PathHashes: Sendable {
            let key: UInt32
            let name: UInt32

            init(_ path: String) {
                key = ExactDictionary<DataNode>.hash(of: path)
                name = DataTree.nameHash(of: path)
            }
        }

        /// A restoration of at most `count` nodes (room for them is reserved, and used only as
        /// they come).
        init(atMost count: Int) {
            tree.nodes.reserveCapacity(count)
            places.reserveCapacity(count)
            parents.reserveCapacity(count)
            nameHashes.reserveCapacity(count)
        }

        /// Asks the processor to fetch what adding a node of these hashes looks up first: done
        /// a few nodes ahead, the lookups find it in the caches.
        func prefetch(_ hashes: PathHashes) { tree.nodes.prefetch(hash: hashes.key) }

        /// Adds the next node, with `data`, whose parent is `parent` nodes into the snapshot (-1:
        /// none), and whose path has `hashes`. Its path moves out of `node`.
        mutating func add(
            _ node: inout SnapshotFile.NodeInFile, data: UnsafeRawBufferPointer?, parent: Int32, hashes: PathHashes
        ) {
            if last?.key != node.aclKey {
                let acl = interned[node.aclKey] ?? tree.aclLists.insert(node.acl).memberAfterInsert
                interned[node.aclKey] = acl
                last = (node.aclKey, acl)
            }
            // The path moves out of the entry (a copy of it and of the data, retained and
            // released, was a fifth of a restart's time at a million nodes).
            let stat = node.stat
            var path = ""
            swap(&path, &node.path)
            // Made in place as the argument, so that it moves into the tree instead of being
            // copied there and released here (a tenth of a restart's time at 1M znodes).
            let (place, replaced) = tree.file(path, { DataNode(stat, acl: last!.acl) }(), data: data, hash: hashes.key)
            places.append(Int32(place))
            nameHashes.append(hashes.name)
            // A path given again is already among its parent's children.
            parents.append(replaced == nil ? parent : -1)
            tree.rememberEphemeral(path, owner: stat.ephemeralSession ?? 0)
            tree.rememberReapable(path, mode: stat.mode)
            if let quotaPath = DataTree.quotaPath(limitsNode: path) { tree.quotaPaths.insert(ExactString(quotaPath)) }
        }

        /// The tree, each parent given its children in the order they came.
        consuming func finish() -> DataTree {
            var childCounts = [Int32](repeating: 0, count: tree.nodes.count)
            for parent in parents where parent >= 0 {
                childCounts[Int(places[Int(parent)])] += 1
            }
            // Exactly the room each needs: grown child by child, an array keeps up to half of its
            // room unused.
            for (place, count) in childCounts.enumerated() where count > 0 {
                tree.nodes.modify(at: place) { $0.children.reserveCapacity(Int(count)) }
            }
            for (index, parent) in parents.enumerated() where parent >= 0 {
                tree.link(Int(places[index]), toParentAt: Int(places[Int(parent)]), nameHash: nameHashes[index])
            }
            return tree
        }
    }

    /// A tree of these nodes only (no system nodes): what a restoration starts from.
    private init(nodes: ExactDictionary<DataNode>) {
        self.nodes = nodes
    }

    /// The nodes and their data by place: what a snapshot reads. Without the index by path and
    /// the other tables, which a change after the snapshot began would otherwise copy whole on
    /// the event loop (the index is 16 MB at a million nodes); the pages it shares are copied one
    /// by one as changes touch them.
    struct Contents: Sendable {
        fileprivate let nodes: ExactDictionary<DataNode>.Pages
        fileprivate let nodeData: NodeDataPages
        fileprivate let root: Int?

        /// Visits every node, parents before their children and children in their listed order:
        /// the order of Apache ZooKeeper's snapshots. Each node is lent where it lies, not copied,
        /// with its place (for ``withData(of:at:_:)``).
        func visitInPreorder(
            _ visit: (_ path: String, _ place: Int, _ node: borrowing DataNode) throws -> Void
        ) rethrows {
            guard let root else { return }
            var pending = [UInt32(root)]
            while let place = pending.popLast() {
                try nodes.withValue(at: Int(place)) { node in
                    try visit(nodes.key(at: Int(place)), Int(place), node)
                    pending.append(contentsOf: node.children.ordered.reversed())
                }
            }
        }

        /// Lends the data of `node`, which lies at `place`, to `body` (nil for no data).
        func withData<Result>(
            of node: borrowing DataNode, at place: Int, _ body: (UnsafeRawBufferPointer?) throws -> Result
        ) rethrows -> Result {
            try nodeData.withBytes(node.dataReference, at: place, body)
        }

        /// Lends each node to `body`, in the order of their places (the cheapest to go through).
        func forEachNode(_ body: (borrowing DataNode) -> Void) {
            nodes.forEachValue(body)
        }
    }

    /// The nodes and their data as they stand, for a snapshot.
    var contents: Contents { Contents(nodes: nodes.pages, nodeData: nodeData, root: nodes.place(of: "/")) }

    /// The names of a node's children, in Apache ZooKeeper's order.
    func childNames(of node: borrowing DataNode) -> [String] {
        node.children.ordered.map { NodePath.name(of: nodes.key(at: Int($0))) }
    }

    /// The paths of a node's children, in no particular order.
    func childPaths(of node: borrowing DataNode) -> [String] {
        node.children.entries.map { nodes.key(at: Int($0.element)) }
    }

    subscript(path: String) -> DataNode? { nodes[path] }

    /// The node at `path` with its place (for ``data(of:at:)``), if there is one.
    func nodeWithPlace(at path: String) -> (node: DataNode, place: Int)? {
        guard let place = nodes.place(of: path) else { return nil }
        return (nodes.withValue(at: place) { copy $0 }, place)
    }

    /// A copy of the data of `node`, which lies at `place` (nil when it has none).
    func data(of node: borrowing DataNode, at place: Int) -> [UInt8]? {
        nodeData.bytes(node.dataReference, at: place)
    }

    /// The data of the node at `path` (nil when it has none, or there is no such node).
    func data(at path: String) -> [UInt8]? {
        nodeWithPlace(at: path).flatMap { data(of: $0.node, at: $0.place) }
    }

    var nodeCount: Int { nodes.count }

    /// The paths of a session's ephemeral nodes, sorted.
    func ephemeralPaths(of session: Int64) -> [String] {
        (ephemerals[session] ?? PathSet()).map(\.string).sorted()
    }

    /// The number of sessions with ephemeral nodes, and of those nodes.
    var ephemeralCounts: (sessions: Int, nodes: Int) {
        (ephemerals.count, ephemerals.values.reduce(0) { $0 + $1.count })
    }

    /// Adds a node; the caller checked that the parent exists and the node does not.
    mutating func create(
        _ path: String, data: [UInt8]?, acl: [ACL], mode: CreateMode, owner: Int64, ttl: Int64, zxid: Int64,
        time: Int64
    ) {
        let parent = NodePath.parent(of: path)
        create(
            path, data: data, acl: acl, mode: mode, owner: owner, ttl: ttl, zxid: zxid, time: time,
            parent: (parent, nodes.place(of: parent)!), hash: ExactDictionary<DataNode>.hash(of: path))
    }

    /// ``create(_:data:acl:mode:owner:ttl:zxid:time:)`` with the parent's path and place, and the
    /// path's ``ExactDictionary/hash(of:)``, found already.
    mutating func create(
        _ path: String, data: [UInt8]?, acl: [ACL], mode: CreateMode, owner: Int64, ttl: Int64, zxid: Int64,
        time: Int64, parent: (path: String, place: Int), hash: UInt32
    ) {
        let acl = aclLists.insert(acl).memberAfterInsert
        let node = DataNode(
            acl: acl, zxid: zxid, time: time, owner: PersistedStat.owner(of: mode, session: owner, ttl: ttl))
        noteChange(parent.path)
        let parentPlace = parent.place
        undoLog?.append(.created(path: path, parentCapacity: nodes.withValue(at: parentPlace) { $0.children.capacity }))
        let place = file(path, node, data: data, hash: hash).place
        nodes.modify(at: parentPlace) { parent in
            parent.childrenCreated &+= 1
            parent.pzxid = zxid
        }
        link(place, toParentAt: parentPlace)
        if mode.isEphemeral { rememberEphemeral(path, owner: owner) }
        rememberReapable(path, mode: mode)
        quotaNodeCreated(path)
        updateQuotaUsage(of: path, bytes: data?.count ?? 0, count: 1)
    }

    /// Removes a node; the caller checked that it exists and has no children.
    mutating func delete(_ path: String, zxid: Int64) {
        guard let (place, node) = nodes.removeValue(forKey: path) else { return }
        let parent = NodePath.parent(of: path)
        noteChange(parent)
        var standing: DataNode.Children.Entry? = nil
        if let parentPlace = nodes.place(of: parent) {
            standing = unlink(node, fromParentAt: parentPlace)
            nodes.modify(at: parentPlace) { parent in
                if zxid > parent.pzxid { parent.pzxid = zxid }
            }
        }
        if undoLog != nil {
            let data = nodeData.bytes(node.dataReference, at: place)
            undoLog!.append(.deleted(path: path, node: node, data: data, standing: standing))
        }
        releaseData(node.dataReference, at: place)
        forgetEphemeral(path, owner: node.ephemeralOwner)
        reapable.remove(ExactString(path))
        if let quotaPath = Self.quotaPath(limitsNode: path) { quotaPaths.remove(ExactString(quotaPath)) }
        updateQuotaUsage(of: path, bytes: -node.dataReference.count, count: -1)
    }

    mutating func setData(_ path: String, data: [UInt8]?, zxid: Int64, time: Int64) {
        noteChange(path, replacingData: true)
        updateQuotaUsage(of: path, bytes: (data?.count ?? 0) - nodes[path]!.dataReference.count, count: 0)
        replaceData(path, with: data)
        nodes[path]!.version &+= 1
        nodes[path]!.mzxid = zxid
        nodes[path]!.mtime = time
    }

    /// Changes a node's data without a new version, zxid or time (quota stats nodes).
    mutating func replaceDataInPlace(_ path: String, with data: [UInt8]) {
        noteChange(path, replacingData: true)
        replaceData(path, with: data)
    }

    /// Gives the node at `path`, if any, new data, giving up its old data.
    private mutating func replaceData(_ path: String, with data: [UInt8]?) {
        guard let place = nodes.place(of: path) else { return }
        let old = nodes.withValue(at: place) { $0.dataReference }
        let new = nodeData.store(data, at: place)
        nodes.modify(at: place) { $0.dataReference = new }
        releaseData(old, at: place)
    }

    /// Files `node` under `path` with `data`; returns its place and the node it replaced (whose
    /// data is given up).
    private mutating func file(
        _ path: String, _ node: consuming DataNode, data: (some Collection<UInt8>)?, hash: UInt32? = nil
    ) -> (place: Int, replaced: DataNode?) {
        let (place, replaced) = nodes.set(path, hash: hash ?? ExactDictionary<DataNode>.hash(of: path), node)
        let reference = nodeData.store(data, at: place)
        nodes.modify(at: place) { $0.dataReference = reference }
        if let replaced { releaseData(replaced.dataReference, at: place) }
        return (place, replaced)
    }

    /// Gives up data that no node uses any longer, which lay at `place`; once most of its page
    /// is unused, moves the data of the page's nodes together.
    private mutating func releaseData(_ reference: NodeDataPages.Reference, at place: Int) {
        guard nodeData.release(reference, at: place) else { return }
        let page = nodeData.page(of: place)
        let places = nodeData.places(in: page).filter { nodes.hasValue(at: $0) }
        let references = places.map { place in nodes.withValue(at: place) { $0.dataReference } }
        let moved = nodeData.compact(page, references)
        for index in places.indices where moved[index] != references[index] {
            nodes.modify(at: places[index]) { $0.dataReference = moved[index] }
        }
    }

    mutating func setACL(_ path: String, acl: [ACL]) {
        noteChange(path)
        nodes[path]!.acl = aclLists.insert(acl).memberAfterInsert
        nodes[path]!.aversion &+= 1
    }

    /// Sets the counters a replayed transaction carries (Apache ZooKeeper's logs hold the
    /// versions a write produced); nil leaves one as it is.
    mutating func setCounters(
        _ path: String, version: Int32? = nil, aversion: Int32? = nil, childrenCreated: Int32? = nil,
        pzxid: Int64? = nil
    ) {
        guard nodes[path] != nil else { return }
        noteChange(path)
        if let version { nodes[path]!.version = version }
        if let aversion { nodes[path]!.aversion = aversion }
        if let childrenCreated { nodes[path]!.childrenCreated = childrenCreated }
        if let pzxid { nodes[path]!.pzxid = pzxid }
    }

    /// The number of all descendants of a node.
    func descendantCount(_ path: String) -> Int {
        guard let node = nodes[path] else { return 0 }
        var count = 0
        for child in childPaths(of: node) {
            count += 1 + descendantCount(child)
        }
        return count
    }

    /// Containers with no children that once had some, and TTL nodes with no children whose
    /// time-to-live has passed since their last change: what the server's reaper deletes.
    func expiredContainersAndTTLs(now: Int64) -> [String] {
        reapable.compactMap { key in
            let path = key.string
            guard let node = nodes[path], node.children.isEmpty else { return nil }
            if node.mode.isContainer && node.childrenCreated > 0 { return path }
            if node.mode.isTTL && now - node.mtime > node.ttl { return path }
            return nil
        }.sorted()
    }

    /// Files the node at `place` among the children of the node at `parentPlace`: as a new child,
    /// or where `standing` says it stood before a removal now taken back.
    private mutating func link(
        _ place: Int, toParentAt parentPlace: Int, standing: DataNode.Children.Entry? = nil, nameHash: UInt32? = nil
    ) {
        let index: Int
        if var entry = standing {
            entry.element = UInt32(place)
            index = nodes.modify(at: parentPlace) { $0.children.restore(entry) }
        } else {
            let hash = nameHash ?? Self.nameHash(of: nodes.key(at: place))
            index = nodes.modify(at: parentPlace) { $0.children.insert(UInt32(place), hash: hash, initialCapacity: 8) }
        }
        nodes.modify(at: place) { $0.indexInParent = Int32(index) }
    }

    /// Takes a removed node out of the children of the node at `parentPlace`; returns where it
    /// stood in their order.
    @discardableResult
    private mutating func unlink(_ child: borrowing DataNode, fromParentAt parentPlace: Int)
        -> DataNode.Children.Entry
    {
        let index = child.indexInParent
        let (removed, moved) = nodes.modify(at: parentPlace) { $0.children.remove(at: Int(index)) }
        if let moved { nodes.modify(at: Int(moved)) { $0.indexInParent = index } }
        return removed
    }

    /// Java's spread hash of the last name of a path, by which its parent orders it.
    static func nameHash(of path: String) -> UInt32 {
        // The last slash found among the bytes where they lie (String's own index search was
        // slow enough to show in a restart's profile).
        var path = path
        let start = path.withUTF8 { ($0.lastIndex(of: UInt8(ascii: "/")) ?? -1) + 1 }
        return DataNode.Children.spreadHash(Substring(path.utf8.dropFirst(start)))
    }

    private mutating func rememberEphemeral(_ path: String, owner: Int64) {
        guard owner != 0 else { return }
        ephemerals[owner, default: PathSet()].insert(ExactString(path))
    }

    /// Containers and TTL nodes are the reaper's to check.
    private mutating func rememberReapable(_ path: String, mode: CreateMode) {
        if mode.isContainer || mode.isTTL { reapable.insert(ExactString(path)) }
    }

    private mutating func forgetEphemeral(_ path: String, owner: Int64) {
        guard owner != 0 else { return }
        ephemerals[owner]?.remove(ExactString(path))
        if ephemerals[owner]?.isEmpty == true { ephemerals[owner] = nil }
    }

    // MARK: Undo

    /// How to take back one change, for a multi that fails.
    ///
    /// Apache ZooKeeper checks a whole multi before it touches its tree, so a failed multi leaves
    /// no trace there: not in the stats, not in the order in which a parent lists its children
    /// (which follows the capacity its Java `HashSet` reached). Here the operations apply one after
    /// another to the live tree, each recording how to take it back; a failure replays those
    /// records backwards. That costs what the multi itself changed, where keeping a copy of the
    /// tree to go back to cost the whole tree (a million nodes copied for each multi).
    enum Undo: Sendable {
        /// A node was added, its parent's children set then having this capacity.
        case created(path: String, parentCapacity: Int)
        /// A node was removed, with its data, standing there in its parent's order of children
        /// (nil: it had no parent).
        case deleted(path: String, node: DataNode, data: [UInt8]?, standing: DataNode.Children.Entry?)
        /// A node's fields before a change, and its data when the change replaced it (else
        /// nil); its children are not kept (the changes to them have records of their own).
        case changed(path: String, fields: DataNode, data: [UInt8]??)
    }

    /// Starts recording how to take back each change.
    mutating func startUndoLog() {
        undoLog = []
    }

    /// Stops recording and keeps the changes.
    mutating func discardUndoLog() {
        undoLog = nil
    }

    /// Takes back every change since ``startUndoLog()``, latest first, and stops recording.
    mutating func undoChanges() {
        guard let log = undoLog else { return }
        undoLog = nil
        for undo in log.reversed() {
            switch undo {
            case .created(let path, let capacity):
                guard let (place, node) = nodes.removeValue(forKey: path) else { continue }
                releaseData(node.dataReference, at: place)
                if let parentPlace = nodes.place(of: NodePath.parent(of: path)) {
                    unlink(node, fromParentAt: parentPlace)
                    nodes.modify(at: parentPlace) { $0.children.undoGrowth(to: capacity) }
                }
                forgetEphemeral(path, owner: node.ephemeralOwner)
                reapable.remove(ExactString(path))
                if let quotaPath = Self.quotaPath(limitsNode: path) { quotaPaths.remove(ExactString(quotaPath)) }
            case .deleted(let path, let node, let data, let standing):
                let place = file(path, node, data: data).place
                if let standing, let parentPlace = nodes.place(of: NodePath.parent(of: path)) {
                    link(place, toParentAt: parentPlace, standing: standing)
                }
                rememberEphemeral(path, owner: node.ephemeralOwner)
                rememberReapable(path, mode: node.mode)
                if let quotaPath = Self.quotaPath(limitsNode: path) { quotaPaths.insert(ExactString(quotaPath)) }
            case .changed(let path, var fields, let data):
                guard let place = nodes.place(of: path) else { continue }
                // The children, where the node stands among its parent's and, unless this change
                // replaced it, its data are as the records after this one left them.
                let current = nodes.withValue(at: place) { $0.dataReference }
                fields.dataReference = current
                if let data { fields.dataReference = nodeData.store(data, at: place) }
                nodes.modify(at: place) { node in
                    swap(&fields.children, &node.children)
                    fields.indexInParent = node.indexInParent
                    node = fields
                }
                if data != nil { releaseData(current, at: place) }
            }
        }
    }

    /// Records a node's fields before a change, when recording, with its data when the change
    /// replaces it. Without its children: keeping them would make the change copy the whole set
    /// (a million names under a big parent).
    private mutating func noteChange(_ path: String, replacingData: Bool = false) {
        guard undoLog != nil, var fields = nodes[path] else { return }
        fields.children = DataNode.Children()
        undoLog!.append(.changed(path: path, fields: fields, data: replacingData ? .some(data(at: path)) : nil))
    }
}
