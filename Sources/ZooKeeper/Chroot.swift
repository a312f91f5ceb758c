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
        if serverPath == root { return "/" }
        if serverPath.hasPrefix(root), serverPath.utf8.dropFirst(root.utf8.count).first == UInt8(ascii: "/") {
            return String(serverPath.dropFirst(root.count))
        }
        return serverPath
    }
}
