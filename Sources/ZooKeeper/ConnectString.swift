import ZooKeeperProtocol

/// A parsed connect string: `host1:port1,host2:port2/chroot`.
///
/// Hosts may be names, IPv4 addresses or bracketed IPv6 addresses (`[::1]:2181`); the port
/// defaults to 2181. The optional chroot suffix roots every path the client uses.
public struct ConnectString: Hashable, Sendable, CustomStringConvertible {
    /// One server address.
    public struct Host: Hashable, Sendable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int = 2181) {
            self.host = host
            self.port = port
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// The servers, in the order written.
    public var hosts: [Host]
    /// The chroot, or nil when paths are not re-rooted.
    public var chroot: String?

    /// The hosts in the order a client tries them: shuffled, as ZooKeeper's clients do (clients
    /// started together then spread over the ensemble), or as written.
    package func hostsInConnectOrder(shuffled: Bool = true) -> [Host] {
        shuffled ? hosts.shuffled() : hosts
    }

    public init(hosts: [Host], chroot: String? = nil) {
        self.hosts = hosts
        self.chroot = chroot
    }

    /// Parses a connect string, throwing `ZooKeeperError` (bad arguments) with the reason.
    public init(_ string: String) throws(ZooKeeperError) {
        var text = Substring(string.trimmingWhitespace())
        var chroot: String?
        // The chroot starts at the first '/' (IPv6 addresses are bracketed, host names have none).
        if let slash = text.firstIndex(of: "/") {
            let root = String(text[slash...])
            text = text[..<slash]
            if root != "/" {
                guard PathValidation.isValid(root) else {
                    throw ZooKeeperError(.badArguments, "invalid chroot '\(root)' in connect string")
                }
                chroot = root
            }
        }
        var hosts: [Host] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let entry = part.trimmingWhitespace()
            guard !entry.isEmpty else {
                throw ZooKeeperError(.badArguments, "empty host in connect string '\(string)'")
            }
            hosts.append(try Self.parseHost(Substring(entry), in: string))
        }
        guard !hosts.isEmpty else {
            throw ZooKeeperError(.badArguments, "connect string '\(string)' names no server")
        }
        self.hosts = hosts
        self.chroot = chroot
    }

    private static func parseHost(_ entry: Substring, in string: String) throws(ZooKeeperError) -> Host {
        var host: Substring
        var port: Substring?
        if entry.hasPrefix("[") {
            guard let close = entry.firstIndex(of: "]") else {
                throw ZooKeeperError(.badArguments, "unclosed '[' in '\(entry)'")
            }
            host = entry[entry.index(after: entry.startIndex)..<close]
            let rest = entry[entry.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else {
                    throw ZooKeeperError(.badArguments, "expected ':port' after ']' in '\(entry)'")
                }
                port = rest.dropFirst()
            }
        } else {
            let colons = entry.filter { $0 == ":" }.count
            if colons == 1, let colon = entry.firstIndex(of: ":") {
                host = entry[..<colon]
                port = entry[entry.index(after: colon)...]
            } else {
                // No colon: a bare host; several: an unbracketed IPv6 address without a port.
                host = entry
            }
        }
        guard !host.isEmpty else { throw ZooKeeperError(.badArguments, "empty host name in '\(entry)'") }
        var portNumber = 2181
        if let port {
            guard let value = Int(port), (1...65535).contains(value) else {
                throw ZooKeeperError(.badArguments, "invalid port '\(port)' in '\(entry)'")
            }
            portNumber = value
        }
        return Host(host: String(host), port: portNumber)
    }

    public var description: String {
        hosts.map(\.description).joined(separator: ",") + (chroot ?? "")
    }
}

extension StringProtocol {
    /// Without leading and trailing whitespace, newlines included.
    package func trimmingWhitespace() -> String { trimming(while: \.isWhitespace) }

    /// Without the leading and trailing characters that match.
    package func trimming(while matches: (Character) -> Bool) -> String {
        var slice = Substring(self)
        while let first = slice.first, matches(first) { slice.removeFirst() }
        while let last = slice.last, matches(last) { slice.removeLast() }
        return String(slice)
    }
}
