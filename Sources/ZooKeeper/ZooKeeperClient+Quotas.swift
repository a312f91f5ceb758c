import ZooKeeperProtocol

/// A subtree's quota as ZooKeeper stores it in `/zookeeper/quota/PATH/zookeeper_limits`: soft
/// limits on the number of nodes and bytes of data, and (3.7+) hard limits, which the server
/// enforces only with `enforceQuota=true`. -1 means no limit.
public struct Quota: Hashable, Sendable {
    public var count: Int64
    public var bytes: Int64
    public var countHardLimit: Int64
    public var byteHardLimit: Int64

    public init(count: Int64 = -1, bytes: Int64 = -1, countHardLimit: Int64 = -1, byteHardLimit: Int64 = -1) {
        self.count = count
        self.bytes = bytes
        self.countHardLimit = countHardLimit
        self.byteHardLimit = byteHardLimit
    }

    /// Reads the limits node's data: `count=N,bytes=M` (before 3.7) or zkCli 3.7+'s
    /// `count=N,bytes=M=;byteHardLimit=B;countHardLimit=C`. Missing or unreadable fields are -1.
    public init(parsing data: [UInt8]) {
        let values = Self.fields(data)
        self.init(
            count: values["count"] ?? -1, bytes: values["bytes"] ?? -1,
            countHardLimit: values["countHardLimit"] ?? -1, byteHardLimit: values["byteHardLimit"] ?? -1)
    }

    /// The limits node's data, exactly as zkCli 3.8 writes it (its own parser and older ones read it).
    public var serialized: [UInt8] {
        Array("count=\(count),bytes=\(bytes)=;byteHardLimit=\(byteHardLimit);countHardLimit=\(countHardLimit)".utf8)
    }

    /// Some of a quota's limits.
    public struct Limits: OptionSet, Hashable, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let count = Limits(rawValue: 1)
        public static let bytes = Limits(rawValue: 2)
        public static let countHardLimit = Limits(rawValue: 4)
        public static let byteHardLimit = Limits(rawValue: 8)
    }

    /// `name=value` pairs separated by `,` or `;` (values that are not integers are skipped).
    static func fields(_ data: [UInt8]) -> [String: Int64] {
        var values: [String: Int64] = [:]
        for pair in String(decoding: data, as: UTF8.self).split(whereSeparator: { $0 == "," || $0 == ";" }) {
            let parts = pair.split(separator: "=", omittingEmptySubsequences: false)
            if parts.count >= 2, let value = Int64(parts[1]) { values[String(parts[0])] = value }
        }
        return values
    }
}

/// A quota'd subtree's usage, which the server keeps in `/zookeeper/quota/PATH/zookeeper_stats`:
/// its nodes (the quota'd node included) and their bytes of data.
public struct QuotaUsage: Hashable, Sendable {
    /// The subtree's nodes, the quota'd node included.
    public var count: Int64
    /// The bytes of data of those nodes.
    public var bytes: Int64
}

/// A subtree's quota and its usage, as `quota(_:)` reads them.
public struct QuotaStatus: Hashable, Sendable {
    /// The limits.
    public var quota: Quota
    /// The usage the server keeps, or nil when its stats node is missing.
    public var usage: QuotaUsage?
}

extension ZooKeeperClient {
    static let quotaRoot = "/zookeeper/quota"

    /// Sets a quota on a subtree, as zkCli's `setquota` does: fields left at -1 keep the value of
    /// an existing quota. Quotas do not nest: a path whose ancestor or descendant has one is refused.
    ///
    /// - Throws: `.noNode` when the path does not exist, `.badArguments` for `/`, paths under
    ///   /zookeeper/quota and nested quotas.
    public func setQuota(_ path: String, _ quota: Quota) async throws {
        guard path != "/" else { throw ZooKeeperError(.badArguments, "cannot set a quota on /", path: path) }
        guard !path.hasPrefix(Self.quotaRoot) else {
            throw ZooKeeperError(.badArguments, "cannot set a quota under \(Self.quotaRoot)", path: path)
        }
        guard try await exists(path) != nil else { throw ZooKeeperError(.noNode, path: path) }
        for ancestor in NodePath.selfAndAncestors(of: path).dropFirst() where ancestor != "/" {
            if try await exists(Self.limitsPath(ancestor)) != nil {
                throw ZooKeeperError(.badArguments, "\(ancestor) above it has a quota already", path: path)
            }
        }
        if let nested = try await quotaBelow(path) {
            throw ZooKeeperError(.badArguments, "\(nested) below it has a quota already", path: path)
        }
        try await ensurePath(Self.quotaRoot + path)
        let limits = Self.limitsPath(path)
        do {
            let current = try await getData(limits)
            let old = Quota(parsing: current.data)
            let merged = Quota(
                count: quota.count == -1 ? old.count : quota.count,
                bytes: quota.bytes == -1 ? old.bytes : quota.bytes,
                countHardLimit: quota.countHardLimit == -1 ? old.countHardLimit : quota.countHardLimit,
                byteHardLimit: quota.byteHardLimit == -1 ? old.byteHardLimit : quota.byteHardLimit)
            _ = try await setData(limits, data: merged.serialized, version: current.stat.version)
        } catch let error as ZooKeeperError where error.code == .noNode {
            // A new quota: the limits, then a stats node whose usage the server computes.
            try await create(limits, data: quota.serialized)
            try await create(Self.statsPath(path), data: "count=0,bytes=0")
        }
    }

    /// A subtree's quota and usage; throws `.noNode` when it has no quota.
    public func quota(_ path: String) async throws -> QuotaStatus {
        let limits: [UInt8]
        do {
            limits = try await getData(Self.limitsPath(path)).data
        } catch let error as ZooKeeperError where error.code == .noNode {
            throw ZooKeeperError(.noNode, "no quota", path: path)
        }
        let stats = try? await getData(Self.statsPath(path)).data
        let usage = stats.map(Quota.fields).map { QuotaUsage(count: $0["count"] ?? 0, bytes: $0["bytes"] ?? 0) }
        return QuotaStatus(quota: Quota(parsing: limits), usage: usage)
    }

    /// Removes a subtree's quota (and the quota nodes left empty above it), or, when `limits`
    /// names some, only those (set back to -1). Throws `.noNode` when it has no quota.
    public func deleteQuota(_ path: String, limits only: Quota.Limits = []) async throws {
        let limits = Self.limitsPath(path)
        let current: NodeData
        do {
            current = try await getData(limits)
        } catch let error as ZooKeeperError where error.code == .noNode {
            throw ZooKeeperError(.noNode, "no quota", path: path)
        }
        guard only.isEmpty else {
            var quota = Quota(parsing: current.data)
            if only.contains(.count) { quota.count = -1 }
            if only.contains(.bytes) { quota.bytes = -1 }
            if only.contains(.countHardLimit) { quota.countHardLimit = -1 }
            if only.contains(.byteHardLimit) { quota.byteHardLimit = -1 }
            _ = try await setData(limits, data: quota.serialized, version: current.stat.version)
            return
        }
        for node in [Self.statsPath(path), limits] {
            do { try await delete(node) } catch let error as ZooKeeperError where error.code == .noNode {}
        }
        // Prune the quota tree's empty branches up to /zookeeper/quota.
        for node in NodePath.selfAndAncestors(of: Self.quotaRoot + path) where node.count > Self.quotaRoot.count {
            do {
                try await delete(node)
            } catch let error as ZooKeeperError where error.code == .notEmpty {
                break
            } catch let error as ZooKeeperError where error.code == .noNode {}
        }
    }

    /// The first quota'd path strictly below `path`, if any.
    private func quotaBelow(_ path: String) async throws -> String? {
        var pending = [Self.quotaRoot + path]
        while let node = pending.popLast() {
            let children: [String]
            do { children = try await getChildren(node) } catch let error as ZooKeeperError where error.code == .noNode
            {
                continue
            }
            for child in children {
                let full = node + "/" + child
                if child == "zookeeper_limits" && node != Self.quotaRoot + path {
                    return String(node.dropFirst(Self.quotaRoot.count))
                }
                if child != "zookeeper_limits" && child != "zookeeper_stats" { pending.append(full) }
            }
        }
        return nil
    }

    static func limitsPath(_ path: String) -> String { quotaRoot + path + "/zookeeper_limits" }
    static func statsPath(_ path: String) -> String { quotaRoot + path + "/zookeeper_stats" }
}
