/// Structure of absolute node paths, shared by the client, the server and the shell.
public enum NodePath {
    /// The parent's path and the last name of a path other than "/" (`/a/b` -> `/a`, `b`).
    public static func split(_ path: String) -> (parent: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("/", path) }
        let parent = slash == path.startIndex ? "/" : String(path[..<slash])
        return (parent, String(path[path.index(after: slash)...]))
    }

    /// The path itself, then each ancestor up to "/" (`/a/b` -> `/a/b`, `/a`, `/`).
    public static func selfAndAncestors(of path: String) -> [String] {
        var result = [path]
        var current = path
        while current != "/" && current.contains("/") {
            current = split(current).parent
            result.append(current)
        }
        return result
    }
}
