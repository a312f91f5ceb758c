import ZooKeeperProtocol

/// Quotas as Apache ZooKeeper keeps them: a path's limits live in
/// `/zookeeper/quota/PATH/zookeeper_limits` (written by clients), its usage in
/// `/zookeeper/quota/PATH/zookeeper_stats`, which the tree computes when the stats node is created
/// and then updates in place (no new version or zxid) as nodes below PATH are created, deleted
/// or change size. Quotas are soft: exceeding one is allowed, as with Apache's default
/// `enforceQuota=false`.
extension DataTree {
    static let quotaRoot = "/zookeeper/quota"
    private static let quotaPrefix = quotaRoot + "/"
    static let limitsName = "zookeeper_limits"
    static let statsName = "zookeeper_stats"

    /// The quota'd path a `zookeeper_limits` node stands for (`/zookeeper/quota/a/zookeeper_limits` -> `/a`).
    static func quotaPath(limitsNode path: String) -> String? {
        quotaPath(of: path, named: limitsName)
    }

    private static func quotaPath(of path: String, named name: String) -> String? {
        guard path.hasPrefix(quotaPrefix) else { return nil }
        let (parent, last) = NodePath.split(path)
        guard last == name, parent.count > quotaRoot.count else { return nil }
        return String(parent.dropFirst(quotaRoot.count))
    }

    /// After a create: a limits node puts its path under quota; a stats node gets the usage.
    mutating func quotaNodeCreated(_ path: String) {
        if let quotaPath = Self.quotaPath(limitsNode: path) {
            quotaPaths.insert(ExactString(quotaPath))
        } else if let quotaPath = Self.quotaPath(of: path, named: Self.statsName) {
            let (count, bytes) = usage(of: quotaPath)
            setStats(path, count: count, bytes: bytes)
        }
    }

    /// Adds a change below a quota'd path to that path's stats node (the deepest such path).
    mutating func updateQuotaUsage(of path: String, bytes: Int, count: Int) {
        guard !quotaPaths.isEmpty,
            let quotaPath = NodePath.selfAndAncestors(of: path).first(where: {
                $0 != "/" && quotaPaths.contains(ExactString($0))
            })
        else { return }
        let statsPath = Self.quotaRoot + quotaPath + "/" + Self.statsName
        guard let stats = nodeWithPlace(at: statsPath) else { return }
        let current = Self.parseStats(data(of: stats.node, at: stats.place) ?? [])
        setStats(statsPath, count: current.count + Int64(count), bytes: current.bytes + Int64(bytes))
    }

    /// The number of nodes in a subtree (the node included) and the bytes of their data.
    private func usage(of path: String) -> (count: Int64, bytes: Int64) {
        guard let node = nodes[path] else { return (0, 0) }
        var total = (count: Int64(1), bytes: Int64(node.dataReference.count))
        for child in childPaths(of: node) {
            let below = usage(of: child)
            total.count += below.count
            total.bytes += below.bytes
        }
        return total
    }

    private mutating func setStats(_ path: String, count: Int64, bytes: Int64) {
        replaceDataInPlace(path, with: Array("count=\(count),bytes=\(bytes)".utf8))
    }

    /// `count=N,bytes=M`; what does not parse counts as zero.
    private static func parseStats(_ data: [UInt8]) -> (count: Int64, bytes: Int64) {
        var values: [Substring: Int64] = [:]
        for pair in String(decoding: data, as: UTF8.self).split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, let value = Int64(parts[1]) { values[parts[0]] = value }
        }
        return (values["count"] ?? 0, values["bytes"] ?? 0)
    }
}
