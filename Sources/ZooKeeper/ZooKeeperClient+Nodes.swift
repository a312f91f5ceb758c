import NIOCore
import ZooKeeperProtocol

extension ZooKeeperClient {
    /// Creates a node and returns its path (with the sequence suffix for sequential modes) and stat.
    ///
    /// - Parameters:
    ///   - path: the node to create; for sequential modes, the prefix of its name.
    ///   - data: the node's data: bytes in any collection (`[UInt8]`, `Data`, a slice); the
    ///     overloads take a `String` (as UTF-8) or a `ByteBuffer`.
    ///   - acl: who may do what with it (default: anyone, anything).
    ///   - mode: persistent, ephemeral, sequential, container or TTL.
    ///   - ttl: required for the TTL modes (the server must run with `zookeeper.extendedTypesEnabled`).
    /// - Throws: `ZooKeeperError` such as `.nodeExists`, `.noNode` (parent missing),
    ///   `.noChildrenForEphemerals`, `.invalidACL`, `.noAuth`.
    @discardableResult
    public func create(
        _ path: String, data: some Collection<UInt8> = [UInt8](), acl: [ACL] = ACL.openUnsafe,
        mode: CreateMode = .persistent, ttl: Duration? = nil
    ) async throws -> CreatedNode {
        let request = try createOperation(path, data: Array(data), acl: acl, mode: mode, ttl: ttl)
        let response: Create2Response
        switch request {
        case .createContainer(let r): response = try await execute(r, path: path)
        case .createTTL(let r): response = try await execute(r, path: path)
        case .create2(let r): response = try await execute(r, path: path)
        default: preconditionFailure("createOperation returns create2, container or TTL requests")
        }
        return CreatedNode(path: clientPath(response.path), stat: response.stat)
    }

    /// Creates a node whose data is `data` in UTF-8, as the overload taking bytes does.
    @discardableResult
    public func create(
        _ path: String, data: String, acl: [ACL] = ACL.openUnsafe, mode: CreateMode = .persistent,
        ttl: Duration? = nil
    ) async throws -> CreatedNode {
        try await create(path, data: data.utf8, acl: acl, mode: mode, ttl: ttl)
    }

    /// Creates a node whose data is the readable bytes of `data`, as the overload taking bytes does.
    @discardableResult
    public func create(
        _ path: String, data: ByteBuffer, acl: [ACL] = ACL.openUnsafe, mode: CreateMode = .persistent,
        ttl: Duration? = nil
    ) async throws -> CreatedNode {
        try await create(path, data: data.readableBytesView, acl: acl, mode: mode, ttl: ttl)
    }

    func createOperation(
        _ path: String, data: [UInt8], acl: [ACL], mode: CreateMode, ttl: Duration?
    ) throws(ZooKeeperError) -> MultiOperation {
        let server = try serverPath(path, isSequential: mode.isSequential)
        if mode.isTTL {
            guard let ttl, ttl > .zero else {
                throw ZooKeeperError(.badArguments, "mode \(mode) needs a positive ttl", path: path)
            }
            return .createTTL(CreateTTLRequest(path: server, data: data, acl: acl, mode: mode, ttl: ttl.milliseconds))
        }
        guard ttl == nil else {
            throw ZooKeeperError(.badArguments, "a ttl needs a TTL mode, not \(mode)", path: path)
        }
        if mode.isContainer {
            return .createContainer(CreateContainerRequest(path: server, data: data, acl: acl, mode: mode))
        }
        return .create2(Create2Request(path: server, data: data, acl: acl, mode: mode))
    }

    /// Creates `path` and any missing ancestors (empty data, open ACL), as kazoo's `ensure_path`;
    /// nodes that exist already are left as they are.
    public func ensurePath(_ path: String) async throws {
        for node in NodePath.selfAndAncestors(of: path).reversed() where node != "/" {
            do {
                try await create(node)
            } catch let error as ZooKeeperError where error.code == .nodeExists {}
        }
    }

    /// Deletes a node; `version` -1 matches any version.
    public func delete(_ path: String, version: Int32 = -1) async throws {
        _ = try await execute(DeleteRequest(path: try serverPath(path), version: version), path: path)
    }

    /// The node's stat, or nil when it does not exist.
    public func exists(_ path: String) async throws -> Stat? {
        do {
            return try await execute(ExistsRequest(path: try serverPath(path)), path: path).stat
        } catch let error as ZooKeeperError where error.code == .noNode {
            return nil
        }
    }

    /// The node's data (empty when stored as null) and stat; ``NodeData/string`` and
    /// ``NodeData/decode(_:using:)`` read the data as text or JSON.
    public func getData(_ path: String) async throws -> NodeData {
        let response = try await execute(GetDataRequest(path: try serverPath(path)), path: path)
        return NodeData(data: response.data ?? [], stat: response.stat)
    }

    /// Replaces the node's data; `version` -1 matches any version. Returns the new stat.
    ///
    /// The data is bytes in any collection (`[UInt8]`, `Data`, a slice); the overloads take a
    /// `String` (as UTF-8) or a `ByteBuffer`.
    @discardableResult
    public func setData(_ path: String, data: some Collection<UInt8>, version: Int32 = -1) async throws -> Stat {
        let request = SetDataRequest(path: try serverPath(path), data: Array(data), version: version)
        return try await execute(request, path: path).stat
    }

    /// Replaces the node's data with `data` in UTF-8; `version` -1 matches any version.
    @discardableResult
    public func setData(_ path: String, data: String, version: Int32 = -1) async throws -> Stat {
        try await setData(path, data: data.utf8, version: version)
    }

    /// Replaces the node's data with the readable bytes of `data`; `version` -1 matches any version.
    @discardableResult
    public func setData(_ path: String, data: ByteBuffer, version: Int32 = -1) async throws -> Stat {
        try await setData(path, data: data.readableBytesView, version: version)
    }

    /// The names of the node's children, in the server's order (unsorted).
    public func getChildren(_ path: String) async throws -> [String] {
        try await execute(GetChildrenRequest(path: try serverPath(path)), path: path).children
    }

    /// The names of the node's children and the node's stat.
    public func getChildrenAndStat(_ path: String) async throws -> NodeChildren {
        let response = try await execute(GetChildren2Request(path: try serverPath(path)), path: path)
        return NodeChildren(children: response.children, stat: response.stat)
    }

    /// The node's ACL and stat.
    public func getACL(_ path: String) async throws -> NodeACL {
        let response = try await execute(GetACLRequest(path: try serverPath(path)), path: path)
        return NodeACL(acl: response.acl, stat: response.stat)
    }

    /// Replaces the node's ACL; `version` is compared with the node's `aversion` (-1: any).
    @discardableResult
    public func setACL(_ path: String, acl: [ACL], version: Int32 = -1) async throws -> Stat {
        try await execute(SetACLRequest(path: try serverPath(path), acl: acl, version: version), path: path).stat
    }

    /// Waits until the connected server has caught up with the leader for this path.
    public func sync(_ path: String = "/") async throws {
        _ = try await execute(SyncRequest(path: try serverPath(path)), path: path)
    }

    /// The number of all descendants of the node.
    public func getAllChildrenNumber(_ path: String) async throws -> Int {
        Int(try await execute(GetAllChildrenNumberRequest(path: try serverPath(path)), path: path).totalNumber)
    }

    /// The paths of this session's ephemeral nodes under `prefix` (a path prefix, not only a parent).
    public func getEphemerals(prefix: String = "/") async throws -> [String] {
        let server = prefix == "/" ? core.chroot.serverPath("/") : try serverPath(prefix)
        let response = try await execute(GetEphemeralsRequest(prefixPath: server), path: prefix)
        return response.ephemerals.map(clientPath)
    }

    /// The identities the server associates with this connection (3.7+).
    public func whoAmI() async throws -> [ClientInfo] {
        try await execute(WhoAmIRequest(), path: nil).clientInfo
    }

    /// The ensemble's dynamic configuration (the data of `/zookeeper/config`, outside any chroot).
    public func getConfig() async throws -> NodeData {
        let response = try await execute(GetDataRequest(path: configNodePath), path: configNodePath)
        return NodeData(data: response.data ?? [], stat: response.stat)
    }

    /// Changes the ensemble's membership (needs `reconfigEnabled` and admin rights on the server).
    @discardableResult
    public func reconfig(
        joining: String? = nil, leaving: String? = nil, newMembers: String? = nil, fromConfig: Int64 = -1
    ) async throws -> NodeData {
        let request = ReconfigRequest(
            joiningServers: joining, leavingServers: leaving, newMembers: newMembers, currentConfigID: fromConfig)
        let response = try await execute(request, path: nil)
        return NodeData(data: response.data ?? [], stat: response.stat)
    }

    /// Adds credentials to this connection, and to every later one of the session.
    ///
    /// A failure (`authFailed`) ends the connection and the client, as ZooKeeper does.
    public func addAuth(scheme: String, credentials: [UInt8]) async throws {
        try await core.addAuth(AuthPacket(scheme: scheme, auth: credentials)).get()
    }

    /// Adds digest credentials (`user:password`).
    public func addDigestAuth(user: String, password: String) async throws {
        let digest = Authentication.digest(user: user, password: password)
        try await addAuth(scheme: digest.scheme, credentials: digest.credentials)
    }
}
