import NIOCore

extension ZooKeeperError {
    /// A `connectFailed` error for a connection to `server` that failed with `error` (a socket,
    /// name lookup or TLS error): `cannot connect to HOST:PORT: CAUSE`, the cause in plain words,
    /// such as "connection refused" or "host name not found".
    public init(connectingTo server: ConnectString.Host, failedWith error: any Error) {
        self = .connectFailed(hosts: [server], failures: [server: ConnectionFailure(error)], waited: .zero)
    }

    /// The error of a `connect` that gave up: each server with the cause of its last failed
    /// attempt, in the connect string's order; a server with none on record gave no answer
    /// within `waited`. One cause shared by all is said once.
    static func connectFailed(
        hosts: [ConnectString.Host], failures: [ConnectString.Host: ConnectionFailure], waited: TimeAmount
    ) -> ZooKeeperError {
        var servers: [ConnectString.Host] = []
        for host in hosts where !servers.contains(host) { servers.append(host) }
        let causes = servers.map { failures[$0]?.cause ?? "no answer within \(Self.seconds(waited))" }
        let message =
            causes.allSatisfy({ $0 == causes[0] })
            ? "cannot connect to \(servers.map(\.description).joined(separator: ", ")): \(causes[0])"
            : "cannot connect to \(zip(servers, causes).map { "\($0): \($1)" }.joined(separator: "; "))"
        return ZooKeeperError(.connectFailed, message)
    }

    /// `5 s`, `1.5 s`, `0.25 s`.
    private static func seconds(_ time: TimeAmount) -> String {
        let milliseconds = time.nanoseconds / 1_000_000
        var text = "\(milliseconds / 1000)"
        if milliseconds % 1000 != 0 {
            var fraction = String(milliseconds % 1000 + 1000).dropFirst()
            while fraction.last == "0" { fraction.removeLast() }
            text += ".\(fraction)"
        }
        return text + " s"
    }
}
