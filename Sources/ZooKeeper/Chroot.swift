/// Maps the paths a caller uses to the server's paths under a chroot, and back.
package struct Chroot: Sendable, Hashable {
    /// The root, or nil when there is none.
    package let root: String?

    package init(_ root: String?) {
        self.root = root == "/" ? nil : root
    }

    /// The server's path for a caller's path.
    package func serverPath(_ path: String) -> String {
        guard let root else { return path }
        return path == "/" ? root : root + path
    }

    /// The caller's path for a server path; paths outside the chroot are returned unchanged.
    package func clientPath(_ serverPath: String) -> String {
        guard let root else { return serverPath }
        // Code units, not characters: a name may begin with a combining mark, and "é" written
        // two ways is two different paths to the server.
        let bytes = serverPath.utf8
        guard bytes.starts(with: root.utf8) else { return serverPath }
        let rest = bytes.dropFirst(root.utf8.count)
        if rest.isEmpty { return "/" }
        return rest.first == UInt8(ascii: "/") ? String(Substring(rest)) : serverPath
    }
}
