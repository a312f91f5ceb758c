import NIOCore
import ZooKeeper
import ZooKeeperProtocol

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A ZooKeeper session on one blocking socket, for a one-shot read: connect, handshake, a
/// request or two, close. No event loop, no other thread, no reconnecting, no watches.
///
/// Every failure of the connection (no server answering, a refused or rejected session, a reset,
/// a reply that does not come within the read timeout) ends it with nil, never with an error: the
/// caller then runs the command through the full client, which retries, fails over and reports.
/// That is safe because what runs here only reads. (A server that accepts the connection but
/// never answers costs ``patience`` here before the full client's own attempt.) Replies are
/// limited to the full client's default reply size.
///
/// The rules it shares with the full client live once, in `ZooKeeperProtocol` and the client
/// module: the order hosts are tried in (`ConnectString.hostsInConnectOrder`), the read timeout
/// (`SessionTiming`), xids (`XidCounter`), the frame length check (`JuteFrameDecoder`) and the
/// mapping of a reply to its record or error (`ZooKeeperClient.response(to:from:path:)`).
struct DirectSession: ~Copyable {
    private let descriptor: Int32
    private var xids = XidCounter()

    /// How long a direct attempt may take in all, connecting and handshaking with every host:
    /// a server that answers takes milliseconds, and one that does not is the full client's to
    /// wait for (within its own connect timeout).
    static let patience = 1.0

    /// Connects to the servers in a random order (as the full client does) and returns a session
    /// with the first that accepts one within ``patience``; nil when none does.
    init?(server: ConnectString, sessionTimeout: Double) {
        let requested = Int32(clamping: Int64(sessionTimeout * 1000))
        let deadline = Self.now() + Self.patience
        for host in server.hostsInConnectOrder() {
            guard deadline - Self.now() > 0,
                let descriptor = Self.openSocket(to: host, timeout: deadline - Self.now())
            else { continue }
            guard let negotiated = Self.handshake(on: descriptor, timeout: requested, waiting: deadline - Self.now())
            else {
                close(descriptor)
                continue
            }
            // Replies come within the read timeout, or the server is gone, as the client judges it.
            Self.setReceiveTimeout(
                on: descriptor, seconds: Double(SessionTiming.readTimeout(negotiated: negotiated)) / 1000)
            self.descriptor = descriptor
            return
        }
        return nil
    }

    /// Seconds on the monotonic clock.
    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Sends a request and reads its reply; nil when the connection failed.
    mutating func call(_ request: some ZooKeeperRequest) -> Reply? {
        let xid = xids.next()
        var buffer = ByteBuffer()
        buffer.writeRequestFrame(xid: xid, request)
        guard Self.sendFrame(buffer, on: descriptor), var body = Self.receiveFrame(on: descriptor),
            let header = try? ReplyHeader(from: &body), header.xid == xid
        else { return nil }
        return Reply(header: header, body: body)
    }

    /// Ends the session, waiting (a second at most: what was asked is done) for the server to
    /// confirm, so it does not linger until its timeout; the socket closes then.
    consuming func end() {
        Self.setReceiveTimeout(on: descriptor, seconds: 1)
        _ = call(CloseSessionRequest())
    }

    deinit {
        close(descriptor)
    }

    /// Sends the connect request and waits up to `waiting` seconds for the answer; the
    /// negotiated timeout, or nil when the server refused or did not answer.
    private static func handshake(on descriptor: Int32, timeout: Int32, waiting: Double) -> Int32? {
        var buffer = ByteBuffer()
        buffer.writeJuteFrame { ConnectRequest(timeout: timeout).encode(into: &$0) }
        setReceiveTimeout(on: descriptor, seconds: waiting)
        guard sendFrame(buffer, on: descriptor), let reply = receiveFrame(on: descriptor),
            let response = try? ConnectResponse(decodingAll: reply),
            !response.isSessionRejected
        else { return nil }
        return response.timeout
    }

    private static func sendFrame(_ buffer: ByteBuffer, on descriptor: Int32) -> Bool {
        buffer.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let sent = send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if sent > 0 {
                    offset += sent
                } else if !(sent < 0 && errno == EINTR) {
                    return false
                }
            }
            return true
        }
    }

    /// One frame's body; nil on a closed connection, a timeout or a frame over the limit.
    private static func receiveFrame(on descriptor: Int32) -> ByteBuffer? {
        guard var header = receiveBytes(count: 4, on: descriptor), let length = header.readInteger(as: Int32.self),
            let bodyLength = try? JuteFrameDecoder(
                maxFrameLength: ZooKeeperClient.Configuration.defaultMaxReplyLength
            ).bodyLength(announcedBy: length)
        else { return nil }
        return receiveBytes(count: bodyLength, on: descriptor)
    }

    private static func receiveBytes(count: Int, on descriptor: Int32) -> ByteBuffer? {
        var buffer = ByteBuffer()
        var failed = false
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { bytes in
            var offset = 0
            while offset < count {
                let received = recv(descriptor, bytes.baseAddress! + offset, count - offset, 0)
                if received > 0 {
                    offset += received
                } else if !(received < 0 && errno == EINTR) {
                    failed = true
                    return 0
                }
            }
            return count
        }
        return failed ? nil : buffer
    }

    private static func setReceiveTimeout(on descriptor: Int32, seconds: Double) {
        // At least a millisecond: zero would mean no timeout at all.
        let seconds = max(seconds, 0.001)
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// A TCP socket (no Nagle delay) connected to one of the host's addresses: an IP address as
    /// it is, a name as the resolver gives it; nil when none connected within the timeout.
    private static func openSocket(to host: ConnectString.Host, timeout: Double) -> Int32? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        // An IP address needs no resolver (nor, in the static build, the system's NSS modules).
        hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST
        var list: UnsafeMutablePointer<addrinfo>?
        if getaddrinfo(host.host, String(host.port), &hints, &list) != 0 {
            hints.ai_flags = AI_NUMERICSERV
            guard getaddrinfo(host.host, String(host.port), &hints, &list) == 0 else { return nil }
        }
        defer { freeaddrinfo(list) }
        var entry = list
        while let address = entry?.pointee {
            if let descriptor = openSocket(to: address, timeout: timeout) { return descriptor }
            entry = address.ai_next
        }
        return nil
    }

    private static func openSocket(to address: addrinfo, timeout: Double) -> Int32? {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        let descriptor = socket(address.ai_family, type, 0)
        guard descriptor >= 0 else { return nil }
        var on: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        var connected = connect(descriptor, address.ai_addr, address.ai_addrlen) == 0
        if !connected && errno == EINPROGRESS {
            var request = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            connected =
                poll(&request, 1, Int32(timeout * 1000)) == 1
                && getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0
        }
        // Blocking from here on; reads are bounded by SO_RCVTIMEO.
        guard connected, fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK) == 0 else {
            close(descriptor)
            return nil
        }
        return descriptor
    }
}
