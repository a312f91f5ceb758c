import NIOCore
import ZooKeeperProtocol

/// The bookkeeping of a client's requests, apart from any I/O: the outbox of requests waiting
/// for a session, the queue of requests written and awaiting their replies (which come in
/// request order), the xid counter, abandonment and reply matching.
///
/// Like `SessionStateMachine` it performs nothing itself: each event returns what the client's
/// loop must do (write these frames, tell this waiter, register this watch, drop the
/// connection). Times are passed in. `Waiter` is whom to tell of a reply (`ReplyWaiter` in the
/// client; anything in tests); a request without one is answered to nobody.
struct RequestStateMachine<Waiter> {
    /// When the caller stops waiting for a request's reply: `at`, `after` it was submitted.
    struct Deadline: Sendable {
        var at: NIODeadline
        var after: TimeAmount
    }

    /// A request not yet written: its frame (a placeholder xid at offset 4 of the frame).
    struct Outgoing {
        var id: UInt64
        var frame: ByteBuffer
        var opCode: OpCode
        var watch: WatchRegistration?
        var waiter: Waiter?
        /// nil: the caller waits as long as the session lasts.
        var deadline: Deadline? = nil
    }

    /// A request written to the connection, awaiting its reply.
    struct Pending {
        var id: UInt64
        var xid: Int32
        /// When it was written: its reply shows the server heard from the client then or later.
        var sentAt: NIODeadline
        var opCode: OpCode
        var watch: WatchRegistration?
        /// nil once the caller gave up (timeout, cancellation): the reply is then dropped.
        var waiter: Waiter?
        var deadline: Deadline?
    }

    /// What to do with a reply that arrived.
    enum ReplyAction {
        /// It answers the oldest pending request, an `opCode` request: tell `waiter` (if anyone
        /// still waits), note that the server heard from the client at `sentAt`, and register
        /// `watch` locally (when the reply set one).
        case answer(waiter: Waiter?, sentAt: NIODeadline, opCode: OpCode, watch: RegisteredWatch?)
        /// It answers no request written (a server out of step): drop the connection. The
        /// pending requests stay, and fail with it.
        case protocolViolation(String)
    }

    /// A watch to add to the local table, once the server confirmed it.
    struct RegisteredWatch: Hashable, Sendable {
        var kind: WatchRegistry.Kind
        var path: String
        var watcher: WatcherID
    }

    private var outbox = CircularBuffer<Outgoing>()
    private var pending = CircularBuffer<Pending>()
    private var xids = XidCounter()

    /// A request that waits in the outbox until a session is established.
    mutating func queue(_ request: Outgoing) {
        outbox.append(request)
    }

    /// A request to write now: its frame, with the next xid filled in; it is pending until its
    /// reply comes.
    mutating func send(_ request: Outgoing, now: NIODeadline) -> ByteBuffer {
        let xid = xids.next()
        var frame = request.frame
        frame.setInteger(xid, at: frame.readerIndex + 4, endianness: .big)
        pending.append(
            Pending(
                id: request.id, xid: xid, sentAt: now, opCode: request.opCode, watch: request.watch,
                waiter: request.waiter, deadline: request.deadline))
        return frame
    }

    /// A session was established: the frames of the requests waiting for it, in order.
    mutating func sessionEstablished(now: NIODeadline) -> [ByteBuffer] {
        var frames: [ByteBuffer] = []
        while let request = outbox.popFirst() {
            frames.append(send(request, now: now))
        }
        return frames
    }

    /// An xid for a request the client makes itself outside the queue (a SASL token): from the
    /// same counter, so no two requests of a connection share one.
    mutating func nextXid() -> Int32 {
        xids.next()
    }

    /// A reply with an ordinary (non-special) xid arrived; `error` is the header's.
    mutating func replyReceived(xid: Int32, error: ErrorCode) -> ReplyAction {
        // Checked before popping: on a mismatch the request stays pending and fails with the
        // connection.
        guard let oldest = pending.first, oldest.xid == xid else {
            return .protocolViolation("reply xid \(xid) does not match the oldest request")
        }
        let request = pending.removeFirst()
        var registered: RegisteredWatch?
        if let watch = request.watch, request.waiter != nil {
            if error == .ok {
                registered = RegisteredWatch(kind: watch.kind, path: watch.path, watcher: watch.watcher)
            } else if error == .noNode && watch.existsWatch {
                registered = RegisteredWatch(kind: .exist, path: watch.path, watcher: watch.watcher)
            }
        }
        return .answer(waiter: request.waiter, sentAt: request.sentAt, opCode: request.opCode, watch: registered)
    }

    /// The caller no longer waits for request `id` (timed out, cancelled): a queued request is
    /// dropped, a written one's reply will be. Returns its waiter, to be told why; nil when the
    /// request has been answered already.
    mutating func abandon(id: UInt64) -> Waiter? {
        if let index = outbox.firstIndex(where: { $0.id == id }) {
            return outbox.remove(at: index).waiter
        }
        guard let index = pending.firstIndex(where: { $0.id == id }), let waiter = pending[index].waiter else {
            return nil
        }
        pending[index].waiter = nil
        return waiter
    }

    /// The requests whose deadline is `now` or past are abandoned (as ``abandon(id:)`` does):
    /// their waiters, to be told, each with the time it was given. Also the earliest deadline of
    /// the requests still awaited (nil when none has one), for the next look.
    mutating func expire(now: NIODeadline) -> (expired: [(waiter: Waiter, after: TimeAmount)], next: NIODeadline?) {
        var expired: [(waiter: Waiter, after: TimeAmount)] = []
        var next: NIODeadline?
        func note(_ deadline: Deadline?, waiting: Bool) -> Bool {
            guard waiting, let deadline else { return false }
            if deadline.at <= now { return true }
            next = min(next ?? deadline.at, deadline.at)
            return false
        }
        // Requests wait in the outbox only while there is no session, and the timer goes off
        // about once a time limit: going through them all is cheap.
        var kept = CircularBuffer<Outgoing>(initialCapacity: outbox.count)
        for request in outbox {
            if note(request.deadline, waiting: request.waiter != nil) {
                expired.append((request.waiter!, request.deadline!.after))
            } else {
                kept.append(request)
            }
        }
        outbox = kept
        for index in pending.indices where note(pending[index].deadline, waiting: pending[index].waiter != nil) {
            expired.append((pending[index].waiter!, pending[index].deadline!.after))
            pending[index].waiter = nil
        }
        return (expired, next)
    }

    /// The connection is gone: the written requests will get no reply. Their waiters, to fail;
    /// queued requests wait on for the next connection.
    mutating func connectionLost() -> [Waiter] {
        let sent = pending
        pending.removeAll()
        return sent.compactMap(\.waiter)
    }

    /// The client stops (closed, expired): after ``connectionLost()``, the queued requests'
    /// waiters, to fail too.
    mutating func dropQueued() -> [Waiter] {
        let queued = outbox
        outbox.removeAll()
        return queued.compactMap(\.waiter)
    }
}

extension RequestStateMachine.ReplyAction: Equatable where Waiter: Equatable {}
extension RequestStateMachine.Outgoing: Sendable where Waiter: Sendable {}
