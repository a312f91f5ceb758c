import NIOCore
import ZooKeeperProtocol

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Milliseconds since the epoch, from the real-time clock.
@Sendable func wallClockMilliseconds() -> Int64 {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
}

/// Who sent a request: the connection, its session and its authenticated identities.
struct RequestContext: Sendable {
    var connection: ConnectionID
    var session: Int64
    var ids: [Id]
    /// The request's xid, which its log record keeps.
    var xid: Int32 = 0
}

/// What a request produced: the reply, and the watch events to send before it.
struct Outcome {
    var error: ErrorCode
    var body: (any JuteEncodable)?
    /// The zxid the reply carries.
    var zxid: Int64
    /// Notifications to send, each to its connections, before the reply.
    var notifications: [ServerDatabase.Notification] = []
    /// Close the connection after replying (unknown opcode, closeSession).
    var closeAfterReply = false

    static func error(_ code: ErrorCode, zxid: Int64) -> Outcome {
        Outcome(error: code, body: nil, zxid: zxid)
    }
}

/// The server's state machine: the data tree, the watch tables and the zxid, and how each
/// request changes them, with Apache ZooKeeper's validation order and stat rules. No I/O.
struct ServerDatabase: Sendable {
    /// A change to announce: what happened where, and the ACL of the node concerned (the parent's
    /// for NodeChildrenChanged), on which a watcher needs READ to hear of it (Apache ZooKeeper
    /// 3.8 checks it when it delivers, after the watch fired).
    typealias Change = (type: EventType, path: String, acl: [ACL])
    /// An event, the connections whose watches it fired, and the ACL that decides who hears it.
    typealias Notification = (connections: [ConnectionID], event: WatcherEvent, acl: [ACL])

    var tree = DataTree()
    /// Bytes read and written per namespace, for `mntr`.
    var namespaces = NamespaceMetrics()
    var watches = ServerWatchManager()
    /// The last zxid handed out.
    private(set) var lastZxid: Int64 = 0
    var extendedTypesEnabled = false
    /// Whether applied transactions are recorded in `journal` (for the transaction log).
    var journaling = false
    /// Transactions applied since the core last took them, in zxid order, as Apache ZooKeeper
    /// logs them.
    var journal: [TxnLogRecord] = []
    /// The session and xid of the request being executed, for its log record.
    private var requestOrigin: (session: Int64, xid: Int32) = (0, 0)
    /// The wall clock, in milliseconds since the epoch (node ctime and mtime); injected for tests.
    var clock: @Sendable () -> Int64 = wallClockMilliseconds
    /// The time of the request being executed: one reading per transaction, as ZooKeeper's txn
    /// header has, so every operation of a multi (and its log record) carries the same time.
    private var requestTime: Int64?

    func now() -> Int64 { requestTime ?? clock() }

    mutating func nextZxid() -> Int64 {
        lastZxid += 1
        return lastZxid
    }

    mutating func record(_ zxid: Int64, _ type: OpCode, _ body: LoggedTransaction.Body) {
        guard journaling else { return }
        journal.append(
            TxnLogRecord(
                session: requestOrigin.session, cxid: requestOrigin.xid, zxid: zxid, time: now(),
                transaction: LoggedTransaction(type: type, body: body)))
    }

    /// A zxid consumed since `before` without a recorded change (a failed write) is logged as an
    /// error transaction with its code, as Apache ZooKeeper logs it, so replay reproduces the zxids.
    private mutating func recordError(ifUnrecordedSince before: Int64, code: ErrorCode) {
        guard journaling, lastZxid > before, (journal.last?.zxid ?? before) < lastZxid else { return }
        record(lastZxid, .error, .error(code))
    }

    // MARK: Sessions

    /// A new session consumes a zxid.
    mutating func createSession(id: Int64, timeout: Int32) {
        requestOrigin = (id, 0)
        record(nextZxid(), .createSession, .createSession(timeout: timeout))
    }

    /// Ends a session: one zxid, its ephemeral nodes deleted (firing their events).
    mutating func closeSession(_ session: Int64) -> (
        zxid: Int64, notifications: [Notification]
    ) {
        let zxid = nextZxid()
        requestOrigin = (session, 0)
        record(zxid, .closeSession, .closeSession(paths: tree.ephemeralPaths(of: session)))
        var events: [Change] = []
        for path in tree.ephemeralPaths(of: session).reversed() {
            let acl = tree[path]?.acl ?? []
            tree.delete(path, zxid: zxid)
            let parent = NodePath.parent(of: path)
            events.append((.nodeDeleted, path, acl))
            events.append((.nodeChildrenChanged, parent, tree[parent]?.acl ?? []))
        }
        return (zxid, fire(events))
    }

    /// Forgets a closed connection's watches.
    mutating func connectionClosed(_ connection: ConnectionID) {
        watches.removeAll(connection: connection)
    }

    // MARK: Requests

    /// Executes one request (its header already read) and returns the outcome.
    mutating func execute(_ opCode: OpCode, _ body: inout ByteBuffer, context: RequestContext) -> Outcome {
        let before = lastZxid
        requestTime = clock()
        requestOrigin = (context.session, context.xid)
        defer { requestTime = nil }
        let outcome = apply(opCode, &body, context: context)
        recordError(ifUnrecordedSince: before, code: outcome.error)
        return outcome
    }

    private mutating func apply(_ opCode: OpCode, _ body: inout ByteBuffer, context: RequestContext) -> Outcome {
        do {
            switch opCode {
            case .create, .create2, .createContainer, .createTTL:
                let zxid = nextZxid()
                let request = try decodeCreate(opCode, &body)
                var events: [Change] = []
                let result = create(request, opCode: opCode, context: context, zxid: zxid, events: &events)
                return finish(result, zxid: zxid, events: events) { path, stat in
                    opCode == .create
                        ? CreateResponse(path: path) as any JuteEncodable : Create2Response(path: path, stat: stat)
                }
            case .delete:
                let zxid = nextZxid()
                let request = try DeleteRequest(from: &body)
                var events: [Change] = []
                let result = delete(request, context: context, zxid: zxid, events: &events)
                return finish(result, zxid: zxid, events: events) { _, _ in EmptyResponse() }
            case .setData:
                let zxid = nextZxid()
                let request = try SetDataRequest(from: &body)
                var events: [Change] = []
                let result = setData(request, context: context, zxid: zxid, events: &events)
                return finish(result, zxid: zxid, events: events) { _, stat in StatResponse(stat: stat) }
            case .setACL:
                let zxid = nextZxid()
                let request = try SetACLRequest(from: &body)
                let result = setACL(request, context: context)
                return finish(result, zxid: zxid, events: []) { _, stat in StatResponse(stat: stat) }
            case .multi:
                let zxid = nextZxid()
                return multi(try MultiRequest(from: &body), context: context, zxid: zxid)
            case .multiRead:
                return multiRead(try MultiReadRequest(from: &body), context: context)
            case .exists:
                return exists(try ExistsRequest(from: &body), context: context)
            case .getData:
                return getData(try GetDataRequest(from: &body), context: context)
            case .getChildren, .getChildren2:
                let request = try GetChildren2Request(from: &body)
                return getChildren(request, withStat: opCode == .getChildren2, context: context)
            case .getACL:
                return getACL(try GetACLRequest(from: &body), context: context)
            case .getAllChildrenNumber:
                let request = try GetAllChildrenNumberRequest(from: &body)
                return read(request.path, .read, context: context) { _ in
                    GetAllChildrenNumberResponse(
                        totalNumber: Int32(clamping: tree.descendantCount(Self.lookupPath(request.path))))
                }
            case .getEphemerals:
                let prefix = try GetEphemeralsRequest(from: &body).path
                let paths = tree.ephemeralPaths(of: context.session).filter {
                    prefix.isEmpty || prefix == "/" || $0.utf8.starts(with: prefix.utf8)
                }
                return Outcome(error: .ok, body: GetEphemeralsResponse(ephemerals: paths), zxid: lastZxid)
            case .sync:
                let request = try SyncRequest(from: &body)
                guard PathValidation.isValid(request.path) else { return .error(.badArguments, zxid: lastZxid) }
                return Outcome(error: .ok, body: PathResponse(path: request.path), zxid: lastZxid)
            case .addWatch:
                let request = try AddWatchRequest(from: &body)
                guard PathValidation.isValid(request.path) else { return .error(.badArguments, zxid: lastZxid) }
                let table: ServerWatchManager.Table =
                    request.mode == .persistentRecursive ? .persistentRecursive : .persistent
                watches.add(table, path: request.path, connection: context.connection)
                return Outcome(error: .ok, body: ErrorResponse(error: .ok), zxid: lastZxid)
            case .checkWatches, .removeWatches:
                let request = try RemoveWatchesRequest(from: &body)
                // Apache ZooKeeper 3.8 knows only children (1), data (2) and any (3) here.
                guard (1...3).contains(request.type.rawValue) else { return .error(.marshallingError, zxid: lastZxid) }
                let found =
                    opCode == .checkWatches
                    ? watches.has(path: request.path, type: request.type)
                    : watches.remove(path: request.path, type: request.type, connection: context.connection)
                return found
                    ? Outcome(error: .ok, body: EmptyResponse(), zxid: lastZxid) : .error(.noWatcher, zxid: lastZxid)
            case .whoAmI:
                // Digest identities show the user name only (`DigestAuthenticationProvider.getUserName`).
                let infos = context.ids.map { id in
                    ClientInfo(
                        authScheme: id.scheme,
                        user: id.scheme == "digest" ? String(id.id.prefix { $0 != ":" }) : id.id)
                }
                return Outcome(error: .ok, body: WhoAmIResponse(clientInfo: infos), zxid: lastZxid)
            case .reconfig:
                return .error(.reconfigDisabled, zxid: nextZxid())
            default:
                // Unknown opcodes, and check outside a multi (Apache ZooKeeper 3.8 drops that
                // without a reply, leaving the client to time out): Unimplemented, then close.
                var outcome = Outcome.error(.unimplemented, zxid: lastZxid)
                outcome.closeAfterReply = true
                return outcome
            }
        } catch {
            return .error(.marshallingError, zxid: lastZxid)
        }
    }

    // MARK: Writes

    private func decodeCreate(_ opCode: OpCode, _ body: inout ByteBuffer) throws(JuteError) -> CreateTTLRequest {
        if opCode == .createTTL { return try CreateTTLRequest(from: &body) }
        let fields = try CreateRequest(from: &body).fields
        return CreateTTLRequest(path: fields.path, data: fields.data, acl: fields.acl, mode: fields.mode, ttl: -1)
    }

    /// A write's result: the affected path and stat, or an error code.
    enum WriteResult {
        case success((path: String, stat: Stat))
        case failure(ErrorCode)
    }

    private mutating func finish(
        _ result: WriteResult, zxid: Int64, events: [Change],
        body: (String, Stat) -> any JuteEncodable
    ) -> Outcome {
        switch result {
        case .success(let (path, stat)):
            return Outcome(error: .ok, body: body(path, stat), zxid: zxid, notifications: fire(events))
        case .failure(let code):
            return .error(code, zxid: zxid)
        }
    }

    private mutating func create(
        _ request: CreateTTLRequest, opCode: OpCode, context: RequestContext, zxid: Int64,
        events: inout [Change]
    ) -> WriteResult {
        // createContainer makes a container whatever the flags say, as Apache ZooKeeper does.
        let mode = opCode == .createContainer ? .container : request.fields.mode
        guard (0...6).contains(mode.rawValue) else { return .failure(.badArguments) }
        if mode.isTTL {
            guard extendedTypesEnabled else { return .failure(.unimplemented) }
            guard opCode == .createTTL, request.ttl > 0, request.ttl <= 0xFF_FFFF_FFFF else {
                return .failure(.badArguments)
            }
        } else if opCode == .createTTL {
            return .failure(.badArguments)
        }
        let path = request.fields.path
        // Over the bytes: the strings' `contains` went through Foundation's search, 2% of the
        // event loop's time under a load of creates at a million znodes.
        guard path.utf8.contains(UInt8(ascii: "/")), !path.utf8.contains(0) else { return .failure(.badArguments) }
        guard let acl = AccessControl.fixup(request.fields.acl, ids: context.ids) else {
            return .failure(.invalidACL)
        }
        let (parentPath, _) = NodePath.split(path)
        guard let parent = parentFacts(parentPath) else { return .failure(.noNode) }
        guard AccessControl.allows(parent.acl, .create, ids: context.ids) else { return .failure(.noAuth) }
        var finalPath = path
        if mode.isSequential {
            finalPath += Self.sequenceSuffix(parent.childrenCreated)
        }
        guard PathValidation.isValid(finalPath) else { return .failure(.badArguments) }
        guard tree[finalPath] == nil else { return .failure(.nodeExists) }
        guard parent.ephemeralOwner == 0 else { return .failure(.noChildrenForEphemerals) }
        let owner = mode.isEphemeral ? context.session : 0
        tree.create(
            finalPath, data: request.fields.data, acl: acl, mode: mode, owner: owner, ttl: max(request.ttl, 0),
            zxid: zxid, time: now())
        recordCreate(finalPath, request, acl: acl, mode: mode, opCode: opCode, zxid: zxid)
        namespaces.write(finalPath, bytes: request.fields.data?.count ?? 0)
        events.append((.nodeCreated, finalPath, acl))
        events.append((.nodeChildrenChanged, parentPath, parent.acl))
        return .success((finalPath, tree[finalPath]!.stat))
    }

    /// What a create or delete reads of the parent. Not the parent itself: a copy of it, alive
    /// while the tree changes the parent's children, would make the tree copy the whole set of
    /// children on every write (a million of them under a big parent).
    private func parentFacts(_ path: String) -> (acl: [ACL], childrenCreated: Int32, ephemeralOwner: Int64)? {
        tree[path].map { ($0.acl, $0.childrenCreated, $0.ephemeralOwner) }
    }

    /// Java's `String.format("%010d", counter)`: ten digits, the sign counting towards the width.
    static func sequenceSuffix(_ counter: Int32) -> String {
        let digits = String(counter.magnitude)
        let width = counter < 0 ? 9 : 10
        return (counter < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private mutating func delete(
        _ request: DeleteRequest, context: RequestContext, zxid: Int64, events: inout [Change]
    ) -> WriteResult {
        let path = request.path
        guard PathValidation.isValid(path), !DataTree.systemPaths.contains(path) else {
            return .failure(.badArguments)
        }
        let (parentPath, _) = NodePath.split(path)
        guard let parent = parentFacts(parentPath) else { return .failure(.noNode) }
        guard AccessControl.allows(parent.acl, .delete, ids: context.ids) else { return .failure(.noAuth) }
        guard let node = tree[path] else { return .failure(.noNode) }
        guard request.version == -1 || request.version == node.version else { return .failure(.badVersion) }
        guard node.children.isEmpty else { return .failure(.notEmpty) }
        tree.delete(path, zxid: zxid)
        record(zxid, .delete, .delete(path: path))
        namespaces.write(path, bytes: 0)
        events.append((.nodeDeleted, path, node.acl))
        events.append((.nodeChildrenChanged, parentPath, parent.acl))
        return .success((path, Stat()))
    }

    private mutating func setData(
        _ request: SetDataRequest, context: RequestContext, zxid: Int64, events: inout [Change]
    ) -> WriteResult {
        let path = request.path
        guard PathValidation.isValid(path) else { return .failure(.badArguments) }
        guard let node = tree[path] else { return .failure(.noNode) }
        guard AccessControl.allows(node.acl, .write, ids: context.ids) else { return .failure(.noAuth) }
        guard request.version == -1 || request.version == node.version else { return .failure(.badVersion) }
        tree.setData(path, data: request.data, zxid: zxid, time: now())
        record(zxid, .setData, .setData(path: path, data: request.data, version: tree[path]!.version))
        namespaces.write(path, bytes: request.data?.count ?? 0)
        events.append((.nodeDataChanged, path, node.acl))
        return .success((path, tree[path]!.stat))
    }

    private mutating func setACL(_ request: SetACLRequest, context: RequestContext) -> WriteResult {
        let path = request.path
        guard PathValidation.isValid(path) else { return .failure(.badArguments) }
        guard let acl = AccessControl.fixup(request.acl, ids: context.ids) else { return .failure(.invalidACL) }
        guard let node = tree[path] else { return .failure(.noNode) }
        guard AccessControl.allows(node.acl, .admin, ids: context.ids) else { return .failure(.noAuth) }
        guard request.version == -1 || request.version == node.aversion else { return .failure(.badVersion) }
        tree.setACL(path, acl: acl)
        record(lastZxid, .setACL, .setACL(path: path, acl: acl, version: tree[path]!.aversion))
        return .success((path, tree[path]!.stat))
    }

    private func check(_ request: CheckVersionRequest, context: RequestContext) -> WriteResult {
        guard PathValidation.isValid(request.path) else { return .failure(.badArguments) }
        guard let node = tree[request.path] else { return .failure(.noNode) }
        guard AccessControl.allows(node.acl, .read, ids: context.ids) else { return .failure(.noAuth) }
        guard request.version == -1 || request.version == node.version else { return .failure(.badVersion) }
        return .success((request.path, node.stat))
    }

    /// Applies the operations in order on the live tree; on the first failure, takes back what
    /// the earlier ones changed (the tree's undo log: the cost of the multi, not of the tree).
    /// All share one zxid; events fire only when every operation succeeded.
    private mutating func multi(_ request: MultiRequest, context: RequestContext, zxid: Int64) -> Outcome {
        let journalCount = journal.count
        tree.startUndoLog()
        defer { tree.discardUndoLog() }
        var events: [Change] = []
        var results: [MultiResult] = []
        for operation in request.operations {
            let result: WriteResult
            switch operation {
            case .create(let r):
                result = create(
                    CreateTTLRequest(fields: r.fields, ttl: -1), opCode: .create, context: context, zxid: zxid,
                    events: &events)
            case .create2(let r):
                // Apache ZooKeeper before 3.8.2 reads a create2 inside a multi as a create, and so
                // logs it: its replay skips a multi logged with a create2 in it (ZOOKEEPER-4026).
                result = create(
                    CreateTTLRequest(fields: r.fields, ttl: -1), opCode: .create, context: context, zxid: zxid,
                    events: &events)
            case .createContainer(let r):
                result = create(
                    CreateTTLRequest(fields: r.fields, ttl: -1), opCode: .createContainer, context: context, zxid: zxid,
                    events: &events)
            case .createTTL(let r):
                result = create(r, opCode: .createTTL, context: context, zxid: zxid, events: &events)
            case .delete(let r): result = delete(r, context: context, zxid: zxid, events: &events)
            case .setData(let r): result = setData(r, context: context, zxid: zxid, events: &events)
            case .check(let r):
                result = check(r, context: context)
                if case .success(let (_, stat)) = result {
                    record(zxid, .check, .check(path: r.path, version: stat.version))
                }
            case .getChildren, .getData: result = .failure(.badArguments)
            }
            switch result {
            case .failure(let code):
                tree.undoChanges()
                journal.removeLast(journal.count - journalCount)
                var failed = results.map { _ in MultiResult.error(.ok) }
                failed.append(.error(code))
                failed += Array(
                    repeating: .error(.runtimeInconsistency), count: request.operations.count - failed.count)
                recordFailedMulti(failed, zxid: zxid)
                return Outcome(error: .ok, body: MultiResponse(results: failed), zxid: zxid)
            case .success(let (path, stat)):
                switch operation {
                // Apache ZooKeeper answers every create inside a multi with a plain create result.
                case .create, .create2, .createContainer, .createTTL: results.append(.create(path: path))
                case .delete: results.append(.delete)
                case .setData: results.append(.setData(stat: stat))
                default: results.append(.check)
                }
            }
        }
        if journaling {
            let operations = journal[journalCount...].map(\.transaction)
            journal.removeLast(journal.count - journalCount)
            record(zxid, .multi, .multi(operations))
        }
        return Outcome(error: .ok, body: MultiResponse(results: results), zxid: zxid, notifications: fire(events))
    }

    // MARK: Reads

    /// Reads do not validate paths (an invalid one is simply not found), and "" names the root,
    /// as in Apache ZooKeeper's `DataTree`.
    static func lookupPath(_ path: String) -> String { path.isEmpty ? "/" : path }

    /// The node a read may see, with its place (for its data): NoNode when missing, then NoAuth
    /// without the permission.
    private func readable(_ path: String, _ permission: Permissions, context: RequestContext) -> (
        (node: DataNode, place: Int)?, ErrorCode
    ) {
        guard let found = tree.nodeWithPlace(at: Self.lookupPath(path)) else { return (nil, .noNode) }
        guard AccessControl.allows(found.node.acl, permission, ids: context.ids) else { return (nil, .noAuth) }
        return (found, .ok)
    }

    private func read(
        _ path: String, _ permission: Permissions, context: RequestContext, body: (DataNode) -> any JuteEncodable
    ) -> Outcome {
        let (found, error) = readable(path, permission, context: context)
        guard let node = found?.node else { return .error(error, zxid: lastZxid) }
        return Outcome(error: .ok, body: body(node), zxid: lastZxid)
    }

    private mutating func exists(_ request: ExistsRequest, context: RequestContext) -> Outcome {
        if request.watch { watches.add(.data, path: request.path, connection: context.connection) }
        guard let node = tree[Self.lookupPath(request.path)] else { return .error(.noNode, zxid: lastZxid) }
        namespaces.read(request.path, bytes: 0)
        return Outcome(error: .ok, body: StatResponse(stat: node.stat), zxid: lastZxid)
    }

    private mutating func getData(_ request: GetDataRequest, context: RequestContext) -> Outcome {
        let (found, error) = readable(request.path, .read, context: context)
        guard let (node, place) = found else { return .error(error, zxid: lastZxid) }
        namespaces.read(request.path, bytes: node.dataReference.count)
        if request.watch { watches.add(.data, path: request.path, connection: context.connection) }
        let data = tree.data(of: node, at: place)
        return Outcome(error: .ok, body: GetDataResponse(data: data, stat: node.stat), zxid: lastZxid)
    }

    private mutating func getChildren(_ request: GetChildren2Request, withStat: Bool, context: RequestContext)
        -> Outcome
    {
        let (found, error) = readable(request.path, .read, context: context)
        guard let node = found?.node else { return .error(error, zxid: lastZxid) }
        let children = tree.childNames(of: node)
        namespaces.read(request.path, bytes: children.reduce(0) { $0 + $1.utf16.count })
        if request.watch { watches.add(.child, path: request.path, connection: context.connection) }
        let body: any JuteEncodable =
            withStat
            ? GetChildren2Response(children: children, stat: node.stat) : GetChildrenResponse(children: children)
        return Outcome(error: .ok, body: body, zxid: lastZxid)
    }

    private func getACL(_ request: GetACLRequest, context: RequestContext) -> Outcome {
        guard let node = tree[Self.lookupPath(request.path)] else { return .error(.noNode, zxid: lastZxid) }
        guard
            AccessControl.allows(node.acl, .read, ids: context.ids)
                || AccessControl.allows(node.acl, .admin, ids: context.ids)
        else { return .error(.noAuth, zxid: lastZxid) }
        // Without ADMIN a caller sees digest entries without their hashes (`user:x`), as ZooKeeper
        // answers, so READ alone does not hand out material for guessing the password.
        let acl =
            AccessControl.allows(node.acl, .admin, ids: context.ids)
            ? node.acl : node.acl.map(AccessControl.redactingDigest)
        return Outcome(error: .ok, body: GetACLResponse(acl: acl, stat: node.stat), zxid: lastZxid)
    }

    private mutating func multiRead(_ request: MultiReadRequest, context: RequestContext) -> Outcome {
        var results: [MultiResult] = []
        for operation in request.operations {
            switch operation {
            case .getData(let r):
                let (found, error) = readable(r.path, .read, context: context)
                if let (node, place) = found {
                    results.append(.getData(data: tree.data(of: node, at: place), stat: node.stat))
                    if r.watch { watches.add(.data, path: r.path, connection: context.connection) }
                } else {
                    results.append(.error(error))
                }
            case .getChildren(let r):
                let (found, error) = readable(r.path, .read, context: context)
                if let node = found?.node {
                    results.append(.getChildren(children: tree.childNames(of: node)))
                    if r.watch { watches.add(.child, path: r.path, connection: context.connection) }
                } else {
                    results.append(.error(error))
                }
            default:
                results.append(.error(.badArguments))
            }
        }
        return Outcome(error: .ok, body: MultiResponse(results: results), zxid: lastZxid)
    }

    // MARK: Recovery

    /// Starts from a recovered tree, taken from `tree` (left with an empty one) so that this
    /// database is its only holder.
    mutating func restore(tree: inout DataTree, lastZxid: Int64) {
        swap(&self.tree, &tree)
        self.lastZxid = lastZxid
    }

    /// Re-applies a logged transaction to the tree (sessions are the core's to restore).
    mutating func replay(_ record: TxnLogRecord) {
        tree.apply(record.transaction, session: record.session, zxid: record.zxid, time: record.time)
        lastZxid = max(lastZxid, record.zxid)
    }

    // MARK: Events

    /// Turns changes into notifications, consuming the standard watches they fire.
    mutating func fire(_ events: [Change]) -> [Notification] {
        events.compactMap { type, path, acl in
            let connections = watches.trigger(type, path: path)
            return connections.isEmpty ? nil : (connections, WatcherEvent(type: type, path: path), acl)
        }
    }
}

extension CreateTTLRequest {
    init(fields: CreateFields, ttl: Int64) {
        self.init(path: fields.path, data: fields.data, acl: fields.acl, mode: fields.mode, ttl: ttl)
    }
}
