import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension Id {
    /// The digest identity for a user and password: `digest:user:base64(sha1("user:password"))`,
    /// as ZooKeeper's `DigestAuthenticationProvider.generateDigest` computes it.
    public static func digest(user: String, password: String) -> Id {
        let hash = Insecure.SHA1.hash(data: Array("\(user):\(password)".utf8))
        return Id(scheme: "digest", id: "\(user):\(Data(hash).base64EncodedString())")
    }
}

extension ACL {
    /// An ACL entry granting `permissions` to a digest user.
    public static func digest(user: String, password: String, permissions: Permissions = .all) -> ACL {
        ACL(permissions: permissions, id: .digest(user: user, password: password))
    }
}
