import ZooKeeperProtocol

/// ACL validation and checks, as ZooKeeper's `PrepRequestProcessor` and auth providers do them.
enum AccessControl {
    /// The identity that bypasses every check.
    static let superID = Id(scheme: "super", id: "")

    /// Whether `ids` grant `permission` on a node with `acl`.
    static func allows(_ acl: [ACL], _ permission: Permissions, ids: [Id]) -> Bool {
        if ids.contains(superID) || acl.isEmpty { return true }
        for entry in acl where entry.permissions.contains(permission) {
            if entry.id.scheme == "world" && entry.id.id == "anyone" { return true }
            for id in ids where id.scheme == entry.id.scheme {
                if matches(scheme: id.scheme, id: id.id, aclID: entry.id.id) { return true }
            }
        }
        return false
    }

    /// A digest entry with its hash replaced by `x` (`user:x`); other entries unchanged.
    static func redactingDigest(_ entry: ACL) -> ACL {
        guard entry.id.scheme == "digest", let colon = entry.id.id.firstIndex(of: ":") else { return entry }
        return ACL(permissions: entry.permissions, id: Id(scheme: "digest", id: entry.id.id[..<colon] + ":x"))
    }

    private static func matches(scheme: String, id: String, aclID: String) -> Bool {
        switch scheme {
        case "ip": IPAddressMatcher.matches(address: id, pattern: aclID)
        default: id == aclID
        }
    }

    /// Checks a new ACL and expands `auth` entries to the caller's authenticated ids; nil when
    /// the list is invalid (InvalidACL).
    static func fixup(_ acl: [ACL], ids: [Id]) -> [ACL]? {
        guard !acl.isEmpty else { return nil }
        var result: [ACL] = []
        for entry in acl {
            switch entry.id.scheme {
            case "world":
                guard entry.id.id == "anyone" else { return nil }
                result.append(entry)
            case "auth":
                let authenticated = ids.filter { $0.scheme != "ip" && $0.scheme != "super" }
                guard !authenticated.isEmpty else { return nil }
                result += authenticated.map { ACL(permissions: entry.permissions, id: $0) }
            case "digest":
                guard entry.id.id.split(separator: ":", omittingEmptySubsequences: false).count == 2 else { return nil }
                result.append(entry)
            case "ip":
                guard IPAddressMatcher.isValid(pattern: entry.id.id) else { return nil }
                result.append(entry)
            case "super", "x509", "sasl", "key":
                result.append(entry)
            default:
                return nil
            }
        }
        var seen = Set<ACL>()
        return result.filter { seen.insert($0).inserted }
    }
}

/// IPv4 addresses and CIDR patterns for the `ip` scheme.
enum IPAddressMatcher {
    static func parse(_ address: some StringProtocol) -> UInt32? {
        let parts = address.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard let byte = UInt8(part) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    static func isValid(pattern: String) -> Bool {
        let pieces = pattern.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count <= 2, parse(pieces[0]) != nil else { return false }
        if pieces.count == 2 { return Int(pieces[1]).map { (0...32).contains($0) } ?? false }
        return true
    }

    static func matches(address: String, pattern: String) -> Bool {
        let pieces = pattern.split(separator: "/", omittingEmptySubsequences: false)
        guard let network = parse(pieces[0]), let host = parse(address) else { return address == pattern }
        let bits = pieces.count == 2 ? Int(pieces[1]) ?? 32 : 32
        let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - UInt32(bits))
        return network & mask == host & mask
    }
}
