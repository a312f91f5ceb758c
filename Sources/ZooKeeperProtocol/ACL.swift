import NIOCore

/// An identity in an ACL entry: a scheme and an id within it (`data.Id`).
public struct Id: JuteRecord, Hashable, CustomStringConvertible {
    public var scheme: String
    public var id: String

    public init(scheme: String, id: String) {
        self.scheme = scheme
        self.id = id
    }

    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        scheme = try buffer.readJuteNonNullString()
        id = try buffer.readJuteNonNullString()
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteString(scheme)
        buffer.writeJuteString(id)
    }

    public var description: String { "\(scheme):\(id)" }

    /// Everyone (`world:anyone`).
    public static let anyone = Id(scheme: "world", id: "anyone")
    /// Whoever is authenticated on the creating connection (`auth:`).
    public static let creator = Id(scheme: "auth", id: "")
}

/// An access control entry: permissions granted to an identity (`data.ACL`).
public struct ACL: JuteRecord, Hashable, CustomStringConvertible {
    public var permissions: Permissions
    public var id: Id

    public init(permissions: Permissions, id: Id) {
        self.permissions = permissions
        self.id = id
    }

    public init(from buffer: inout ByteBuffer) throws(JuteError) {
        permissions = Permissions(rawValue: try buffer.readJuteInt())
        id = try Id(from: &buffer)
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeJuteInt(permissions.rawValue)
        id.encode(into: &buffer)
    }

    /// `scheme:id:perms`, as zkCli writes it.
    public var description: String { "\(id.scheme):\(id.id):\(permissions)" }

    /// Everything for everyone (`ZooDefs.Ids.OPEN_ACL_UNSAFE`).
    public static let openUnsafe = [ACL(permissions: .all, id: .anyone)]
    /// Everything for the creator's authenticated identities (`ZooDefs.Ids.CREATOR_ALL_ACL`).
    public static let creatorAll = [ACL(permissions: .all, id: .creator)]
    /// Read for everyone (`ZooDefs.Ids.READ_ACL_UNSAFE`).
    public static let readUnsafe = [ACL(permissions: .read, id: .anyone)]
}

extension ByteBuffer {
    /// Reads a vector of ACL entries, treating null as empty.
    @inlinable
    public mutating func readJuteACLs() throws(JuteError) -> [ACL] {
        try readJuteVector(minimumElementSize: 12) { (buffer: inout ByteBuffer) throws(JuteError) in
            try ACL(from: &buffer)
        } ?? []
    }

    /// Writes a vector of ACL entries.
    @inlinable
    public mutating func writeJuteACLs(_ acls: [ACL]) {
        writeJuteVector(acls) { $1.encode(into: &$0) }
    }
}
