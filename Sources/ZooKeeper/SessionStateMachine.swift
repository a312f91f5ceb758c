import NIOCore
import ZooKeeperProtocol

/// The session's life across connections, with no I/O: each input returns the actions the
/// client must perform (connect, send, close, fail requests, announce a state).
///
/// Inputs carry the current time, so timeouts are tested without a clock.
struct SessionStateMachine: Sendable {
    enum Phase: Hashable, Sendable {
        /// Not started yet.
        case idle
        /// A TCP connection to the current host is being opened.
        case connecting
        /// The connect request was sent; waiting for the connect response.
        case handshaking(since: NIODeadline)
        /// The session is established; the SASL exchange runs before anything else is sent.
        case authenticating(since: NIODeadline, newSession: Bool, readOnly: Bool)
        /// The session is established on the current connection.
        case connected(readOnly: Bool)
        /// Every host failed in this round; a timer will start the next one.
        case waitingToReconnect
        /// closeSession was sent; waiting for its reply.
        case closing
        /// The client was closed.
        case closed
        /// The session expired and the client does not start a new one.
        case expired
        /// The server rejected the credentials; the client stops.
        case authFailed
    }

    enum Action: Hashable, Sendable {
        /// Open a TCP connection (and give up on it after `timeout`).
        case connect(ConnectString.Host, timeout: TimeAmount)
        /// Send the connect request on the new connection.
        case sendConnectRequest(ConnectRequest)
        /// Start the SASL exchange on the new connection.
        case authenticate
        /// The session is (re-)established: replay credentials and watches, send queued requests.
        case established(sessionID: Int64, newSession: Bool, readOnly: Bool)
        /// The connection broke: requests sent on it fail with connection loss.
        case connectionLost
        /// Close the current connection (the client ignores its later events).
        case closeConnection
        /// Start the next round of connection attempts after a delay.
        case scheduleReconnect(after: TimeAmount)
        /// Connecting cannot succeed: fail the wait for the first session with what each host
        /// failed with (the client closes next).
        case giveUpConnecting
        /// The session is gone: fail everything waiting, end every watch.
        case sessionExpired
        /// The server refused the credentials: fail everything and stop.
        case authFailed
        /// Send a ping.
        case sendPing
        /// Send a sync, which the leader answers: while ownership is watched, it proves now and
        /// then that the leader still hears from the client (see ``LeaderContact``).
        case sendSync
        /// Send closeSession.
        case sendCloseSession
        /// The client is closed: fail what remains.
        case closed
    }

    let hosts: [ConnectString.Host]
    let requestedTimeout: Int32
    let allowReadOnly: Bool
    let recreateSessionOnExpiry: Bool
    /// Whether to give up on the first session once every host has failed definitively (see
    /// `connectFailed(definitive:)`) in ``roundsBeforeGivingUp`` rounds in a row.
    let failFast: Bool
    /// Whether every connection authenticates with SASL before the session is usable.
    let authenticatesWithSASL: Bool

    private(set) var phase: Phase = .idle
    private(set) var sessionID: Int64 = 0
    private(set) var password = [UInt8](repeating: 0, count: 16)
    private(set) var negotiatedTimeout: Int32 = 0
    /// The highest zxid seen in a reply; sent on reconnect so no server that is behind accepts us.
    private(set) var lastZxidSeen: Int64 = 0
    /// close() came while reconnecting with a live session: close it once reconnected.
    private(set) var closeRequested = false
    private var hostIndex = 0
    private var failuresInRound = 0
    private var failedRounds = 0
    private var definitiveFailuresInRound = 0
    /// Rounds in a row in which every attempt failed definitively.
    private var definitiveRounds = 0
    /// Whether a session was ever established: from then on the client never gives up.
    private var hadSession = false
    private var lastReceived = NIODeadline.uptimeNanoseconds(0)
    private var lastSent = NIODeadline.uptimeNanoseconds(0)
    /// When the connect request of the current connection was sent.
    private var connectRequestSent = NIODeadline.uptimeNanoseconds(0)
    /// When the leader, which expires sessions, last heard from the client, as far as the client
    /// can prove it.
    private(set) var leaderContact = LeaderContact(sessionTimeout: .zero)
    /// Whether someone waits on ownership through the session (`ownership(of:margin:now:)`):
    /// the client then syncs every ``leaderCheckInterval`` to keep proving contact.
    private var ownershipWatched = false
    private var lastSyncSent = NIODeadline.uptimeNanoseconds(0)

    init(
        hosts: [ConnectString.Host], sessionTimeout: Int32, allowReadOnly: Bool, recreateSessionOnExpiry: Bool,
        failFast: Bool = false, resuming session: ZooKeeperClient.SessionCredentials? = nil,
        authenticatesWithSASL: Bool = false
    ) {
        precondition(!hosts.isEmpty, "a session needs at least one host")
        if let session {
            sessionID = session.id
            password = session.password
        }
        self.hosts = hosts
        self.requestedTimeout = sessionTimeout
        self.allowReadOnly = allowReadOnly
        self.recreateSessionOnExpiry = recreateSessionOnExpiry
        self.failFast = failFast
        self.authenticatesWithSASL = authenticatesWithSASL
    }

    /// The host of the current (or next) connection attempt.
    var currentHost: ConnectString.Host { hosts[hostIndex] }

    /// The timeout of one connection attempt (TCP connect and handshake): the session timeout
    /// shared among the hosts, and at most a third of it, so that several attempts fit within the
    /// session's lifetime even with one host (Java shares it among the hosts only).
    var connectTimeout: TimeAmount {
        let timeout = negotiatedTimeout > 0 ? negotiatedTimeout : requestedTimeout
        return .milliseconds(Int64(max(timeout / Int32(max(hosts.count, 3)), 1000)))
    }

    /// Nothing received for this long means the connection is dead (two thirds of the timeout).
    var readTimeout: TimeAmount { .milliseconds(SessionTiming.readTimeout(negotiated: negotiatedTimeout)) }

    /// A ping is due after this long without sending (``SessionTiming/pingInterval(negotiated:)``).
    var pingInterval: TimeAmount { .milliseconds(SessionTiming.pingInterval(negotiated: negotiatedTimeout)) }

    /// While ownership is watched, a sync is due after this long without one (a 48th of the
    /// timeout). Each answer is a sample and each sync a proof (``LeaderContact``), so contact is
    /// proven at most ``LeaderContact/gap`` (a third) plus two intervals, a clock tick (an 80th)
    /// and two round trips back: about 0.39 timeouts, well within the 0.7 that `zk lock`'s margin
    /// of three tenths leaves.
    var leaderCheckInterval: TimeAmount { .milliseconds(Int64(negotiatedTimeout) / 48) }

    /// What became of ownership held through session `owner` (its ephemeral nodes).
    enum Ownership: Hashable, Sendable {
        /// It must end now, for this reason.
        case lost(OwnershipLost.Reason)
        /// It lasts at least until this moment, and longer if the server answers meanwhile.
        case safe(until: NIODeadline)
    }

    /// Ownership through session `owner` lasts until `margin` before the server could expire the
    /// session (``sessionSafeUntil``), and ends at once when the session is gone: expired,
    /// closed, refused, or replaced by another.
    func ownership(of owner: Int64, margin: TimeAmount, now: NIODeadline) -> Ownership {
        switch phase {
        case .expired: return .lost(.sessionExpired)
        case .closing, .closed: return .lost(.clientClosed)
        case .authFailed: return .lost(.sessionEnded)
        default: break
        }
        // An expired session, recreated: the id is cleared until the new session comes.
        guard sessionID == owner else {
            return .lost(sessionID == 0 && phase != .idle ? .sessionExpired : .sessionEnded)
        }
        guard let safeUntil = sessionSafeUntil else { return .lost(.sessionEnded) }
        let cutoff = safeUntil - margin
        return cutoff <= now ? .lost(.noContact) : .safe(until: cutoff)
    }

    var isConnected: Bool {
        if case .connected = phase { return true }
        return false
    }

    /// The earliest moment at which the server could expire the session (nil without a live
    /// session): a session timeout after the leader last heard from the client, as far as the
    /// client can prove (``LeaderContact``). Until then nothing owned through the session (its
    /// ephemeral nodes) can have passed to another client. It moves on with each handshake and
    /// with answers followed by a successful sync or write, which the client sends regularly
    /// while ownership is watched.
    var sessionSafeUntil: NIODeadline? {
        guard sessionID != 0, negotiatedTimeout > 0, !isTerminal else { return nil }
        return leaderContact.confirmed + .milliseconds(Int64(negotiatedTimeout))
    }

    var isTerminal: Bool {
        switch phase {
        case .closed, .expired, .authFailed: true
        default: false
        }
    }

    // MARK: Inputs

    mutating func start() -> [Action] {
        guard phase == .idle else { return [] }
        phase = .connecting
        return [.connect(currentHost, timeout: connectTimeout)]
    }

    /// The TCP connection is open.
    mutating func channelActive(now: NIODeadline) -> [Action] {
        guard phase == .connecting else { return [] }
        phase = .handshaking(since: now)
        lastReceived = now
        lastSent = now
        connectRequestSent = now
        return [
            .sendConnectRequest(
                ConnectRequest(
                    lastZxidSeen: lastZxidSeen, timeout: requestedTimeout, sessionID: sessionID,
                    password: password, readOnly: allowReadOnly))
        ]
    }

    /// The TCP connection could not be opened. `definitive`: trying again soon would fail the
    /// same way (the host refused the connection, or its name does not resolve).
    mutating func connectFailed(definitive: Bool = false) -> [Action] {
        guard phase == .connecting else { return [] }
        return nextAttempt(definitive: definitive)
    }

    /// The reconnect delay is over.
    mutating func reconnectTimerFired() -> [Action] {
        guard phase == .waitingToReconnect else { return [] }
        phase = .connecting
        return [.connect(currentHost, timeout: connectTimeout)]
    }

    mutating func connectResponseReceived(_ response: ConnectResponse, now: NIODeadline) -> [Action] {
        guard case .handshaking = phase else { return [] }
        lastReceived = now
        if response.isSessionRejected {
            if closeRequested {
                phase = .closed
                return [.closeConnection, .closed]
            }
            return expire()
        }
        if closeRequested {
            // Reconnected only to end the session.
            phase = .closing
            return [.sendCloseSession]
        }
        let newSession = response.sessionID != sessionID
        sessionID = response.sessionID
        password = response.password
        if newSession || negotiatedTimeout != response.timeout {
            leaderContact = LeaderContact(sessionTimeout: .milliseconds(Int64(response.timeout)))
        }
        negotiatedTimeout = response.timeout
        // A read-only server answers without the leader: it proves nothing.
        if response.readOnly != true { leaderContact.sessionValidated(requestSent: connectRequestSent) }
        failuresInRound = 0
        definitiveFailuresInRound = 0
        failedRounds = 0
        hadSession = true
        let readOnly = response.readOnly ?? false
        if authenticatesWithSASL {
            phase = .authenticating(since: now, newSession: newSession, readOnly: readOnly)
            return [.authenticate]
        }
        phase = .connected(readOnly: readOnly)
        return [.established(sessionID: sessionID, newSession: newSession, readOnly: readOnly)]
    }

    /// The SASL exchange succeeded: the session is usable.
    mutating func saslCompleted() -> [Action] {
        guard case .authenticating(_, let newSession, let readOnly) = phase else { return [] }
        if closeRequested {
            // Reconnected only to end the session.
            phase = .closing
            return [.sendCloseSession]
        }
        phase = .connected(readOnly: readOnly)
        return [.established(sessionID: sessionID, newSession: newSession, readOnly: readOnly)]
    }

    /// Any frame arrived.
    mutating func frameReceived(now: NIODeadline) {
        lastReceived = now
    }

    /// A reply to an ordinary request carried this zxid.
    mutating func zxidSeen(_ zxid: Int64) {
        if zxid > lastZxidSeen { lastZxidSeen = zxid }
    }

    /// The server answered a request (or ping) sent at `sentAt`; `byLeader`: successfully, and
    /// the leader had to handle it (``LeaderContact/needingTheLeader``).
    mutating func answered(sentAt: NIODeadline, now: NIODeadline, byLeader: Bool) {
        if case .connected(readOnly: false) = phase {
            leaderContact.answered(sent: sentAt, now: now, byLeader: byLeader)
        }
    }

    /// Whether someone waits on ownership through the session: the client then keeps proving
    /// contact with the leader by syncing.
    mutating func ownershipWatched(_ watched: Bool) {
        ownershipWatched = watched
    }

    /// Something was written to the connection.
    mutating func didSend(now: NIODeadline) {
        lastSent = now
    }

    /// The current connection closed (by either side, or after an error). `definitive`: before
    /// the session, trying again soon would fail the same way (another kind of server answered,
    /// or TLS could not agree).
    mutating func channelClosed(definitive: Bool = false) -> [Action] {
        switch phase {
        case .connecting, .handshaking:
            return nextAttempt(definitive: definitive)
        case .connected, .authenticating:
            leaderContact.connectionClosed()
            advanceHost()
            failuresInRound = 0
            phase = .connecting
            return [.connectionLost, .connect(currentHost, timeout: connectTimeout)]
        case .closing:
            phase = .closed
            return [.closed]
        case .idle, .waitingToReconnect, .closed, .expired, .authFailed:
            return []
        }
    }

    /// Periodic check: handshake and read timeouts, pings.
    mutating func tick(now: NIODeadline) -> [Action] {
        switch phase {
        case .handshaking(let since):
            guard now - since >= connectTimeout else { return [] }
            return [.closeConnection] + nextAttempt()
        case .authenticating(let since, _, _):
            // A server that stops answering mid-exchange is left like one that breaks the connection.
            guard now - since >= connectTimeout else { return [] }
            return [.closeConnection] + channelClosed()
        case .connected(let readOnly):
            if now - lastReceived >= readTimeout {
                return [.closeConnection] + channelClosed()
            }
            if ownershipWatched && !readOnly && now - lastSyncSent >= leaderCheckInterval {
                lastSyncSent = now
                lastSent = now
                return [.sendSync]
            }
            if now - lastSent >= pingInterval {
                lastSent = now
                return [.sendPing]
            }
            return []
        default:
            return []
        }
    }

    /// The server answered an auth packet with AuthFailed, or refused the SASL login.
    mutating func authFailed() -> [Action] {
        guard !isTerminal else { return [] }
        phase = .authFailed
        return [.closeConnection, .authFailed]
    }

    /// The user closes the client. A live session is closed on the server, after reconnecting if
    /// need be; the client waits for that at most until `closeCompleted()`.
    mutating func close() -> [Action] {
        switch phase {
        case .connected:
            phase = .closing
            return [.sendCloseSession]
        case .closing, .closed, .expired, .authFailed:
            return []
        case .connecting, .handshaking, .authenticating, .waitingToReconnect:
            guard sessionID == 0 else {
                closeRequested = true
                return []
            }
            phase = .closed
            return [.closeConnection, .closed]
        case .idle:
            phase = .closed
            return [.closeConnection, .closed]
        }
    }

    /// The closeSession reply arrived, or waiting for it (or for a reconnect) took too long.
    mutating func closeCompleted() -> [Action] {
        guard phase == .closing || (closeRequested && !isTerminal) else { return [] }
        phase = .closed
        return [.closeConnection, .closed]
    }

    /// Whether the client is closing or closed: new requests are refused.
    var isClosing: Bool { closeRequested || phase == .closing || phase == .closed }

    // MARK: Helpers

    private mutating func expire() -> [Action] {
        sessionID = 0
        password = [UInt8](repeating: 0, count: 16)
        negotiatedTimeout = 0
        guard recreateSessionOnExpiry else {
            phase = .expired
            return [.closeConnection, .sessionExpired]
        }
        phase = .connecting
        return [.closeConnection, .sessionExpired, .connect(currentHost, timeout: connectTimeout)]
    }

    private mutating func advanceHost() {
        hostIndex = (hostIndex + 1) % hosts.count
    }

    /// Rounds in a row of definitive failures on every host after which a client with
    /// ``failFast`` gives up on its first session: two, so a host that has just restarted is
    /// tried again after the backoff.
    static let roundsBeforeGivingUp = 2

    private mutating func nextAttempt(definitive: Bool = false) -> [Action] {
        advanceHost()
        failuresInRound += 1
        if definitive { definitiveFailuresInRound += 1 }
        if failuresInRound >= hosts.count {
            definitiveRounds = definitiveFailuresInRound == failuresInRound ? definitiveRounds + 1 : 0
            failuresInRound = 0
            definitiveFailuresInRound = 0
            failedRounds += 1
            if failFast && !hadSession && definitiveRounds >= Self.roundsBeforeGivingUp {
                phase = .closed
                return [.giveUpConnecting, .closed]
            }
            phase = .waitingToReconnect
            return [.scheduleReconnect(after: Self.backoff(afterFailedRounds: failedRounds))]
        }
        phase = .connecting
        return [.connect(currentHost, timeout: connectTimeout)]
    }

    /// The pause after a round in which every host failed: 50 ms doubling up to one second.
    static func backoff(afterFailedRounds rounds: Int) -> TimeAmount {
        .milliseconds(Int64(min(1000, 50 << min(max(rounds - 1, 0), 5))))
    }
}
