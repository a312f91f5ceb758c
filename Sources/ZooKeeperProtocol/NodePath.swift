#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Structure of absolute node paths, shared by the client, the server and the shell.
public enum NodePath {
    /// The parent's path and the last name of a path other than "/" (`/a/b` -> `/a`, `b`).
    ///
    /// Works on the path's code units: a name may begin with a combining mark, which Swift's
    /// characters would fold into the slash before it.
    public static func split(_ path: String) -> (parent: String, name: String) {
        let bytes = path.utf8
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return ("/", path) }
        let parent = slash == bytes.startIndex ? "/" : String(Substring(bytes[..<slash]))
        return (parent, String(Substring(bytes[bytes.index(after: slash)...])))
    }

    /// The parent's path of a path other than "/" (`/a/b` -> `/a`): ``split(_:)`` without
    /// making the last name, and read from the path's bytes where they lie.
    public static func parent(of path: String) -> String {
        var path = path
        return path.withUTF8 { bytes in
            guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")), slash > 0 else { return "/" }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[..<slash]), as: UTF8.self)
        }
    }

    /// The last name of a path (`/a/b` -> `b`): ``split(_:)`` without making the parent's path.
    public static func name(of path: String) -> String {
        let bytes = path.utf8
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(Substring(bytes[bytes.index(after: slash)...]))
    }

    /// Whether `parent` is the parent's path of `path` (compared code unit by code unit), without
    /// making the parent's path.
    public static func isParent(_ parent: String, of path: String) -> Bool {
        var (parent, path) = (parent, path)
        return path.withUTF8 { path in
            parent.withUTF8 { parent in
                guard let slash = path.lastIndex(of: UInt8(ascii: "/")) else { return false }
                if slash == 0 { return parent.count == 1 && parent[0] == UInt8(ascii: "/") }
                return parent.count == slash && memcmp(parent.baseAddress!, path.baseAddress!, slash) == 0
            }
        }
    }

    /// The path itself, then each ancestor up to "/" (`/a/b` -> `/a/b`, `/a`, `/`).
    public static func selfAndAncestors(of path: String) -> [String] {
        var result = [path]
        var current = path
        while current != "/" && current.utf8.contains(UInt8(ascii: "/")) {
            current = split(current).parent
            result.append(current)
        }
        return result
    }
}
