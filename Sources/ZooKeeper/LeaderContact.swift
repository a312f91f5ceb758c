import NIOCore
import ZooKeeperProtocol

/// What the client can prove about the last time the ZooKeeper leader heard from its session,
/// which expires the session a session timeout after that (no I/O; times passed in).
///
/// A follower answers pings and reads itself. It passes the sessions it heard from on to the
/// leader only when the leader pings it (every half tick); cut off from the leader it goes on
/// answering for up to syncLimit × tickTime. So an answer from a follower proves nothing by
/// itself. What it does prove, together with a later answer that needed the leader (a sync or a
/// write), on the same connection:
/// - the handshake: the leader itself validates a resumed session (and creates a new one)
///   before the server answers, so the leader heard from the client when the connect request
///   was sent, or later;
/// - an answer that needed the leader shows that the follower's link to the leader was up when
///   the leader handled it. The follower's link is the same one all along the client's
///   connection: a follower that loses its leader closes every client connection. The leader
///   pings the follower every half tick, and the follower's reply carries every session it
///   heard from since the previous ping; so whatever the follower received half a tick (and some
///   delay) before the request that needed the leader has reached the leader. The client counts
///   a third of the session timeout for that (``gap``): at least two thirds of a tick when the
///   session timeout is at least two ticks, Apache's default minimum.
///
/// A request answered at R (the follower received it by then) and a request needing the leader
/// sent at least ``gap`` after R and answered prove that the leader heard from the client when
/// the first was sent, or later.
struct LeaderContact: Hashable, Sendable {
    /// An answered request on the current connection.
    struct Sample: Hashable, Sendable {
        var sent: NIODeadline
        var answered: NIODeadline
    }

    /// The leader heard from the client at this moment or later.
    private(set) var confirmed: NIODeadline
    /// Answers on the current connection not yet counted, oldest first; at most one per
    /// ``samplingStep`` and ``maximumSamples`` in all.
    private(set) var samples: [Sample] = []

    /// How long after an answer a request needing the leader must be sent to prove it.
    let gap: TimeAmount

    init(sessionTimeout: TimeAmount, confirmed: NIODeadline = .uptimeNanoseconds(0)) {
        self.gap = .nanoseconds(sessionTimeout.nanoseconds / 3)
        self.confirmed = confirmed
    }

    /// The opcodes a follower passes to the leader and answers only once the leader has handled
    /// them: when they succeed, the follower's link to the leader was up.
    static let needingTheLeader: Set<OpCode> = [
        .sync, .create, .create2, .createContainer, .createTTL, .delete, .setData, .setACL, .multi, .reconfig,
    ]

    /// Answers closer together than this are one sample: the later ones add less than this.
    var samplingStep: TimeAmount { .nanoseconds(gap.nanoseconds / 16) }

    static let maximumSamples = 48

    /// The server validated (or created) the session on a new connection: the leader heard from
    /// the client when the connect request was sent, or later. Answers on earlier connections
    /// prove nothing any more.
    mutating func sessionValidated(requestSent: NIODeadline) {
        confirmed = max(confirmed, requestSent)
        samples = []
    }

    /// The connection closed: its answers prove nothing on the next one.
    mutating func connectionClosed() {
        samples = []
    }

    /// The server answered a request sent at `sent`, successfully and through the leader when
    /// `byLeader`.
    mutating func answered(sent: NIODeadline, now: NIODeadline, byLeader: Bool) {
        if byLeader {
            // The latest earlier answer at least `gap` before this request was sent.
            if let index = samples.lastIndex(where: { $0.answered + gap <= sent }) {
                confirmed = max(confirmed, samples[index].sent)
                samples.removeFirst(index + 1)
            }
        }
        if let last = samples.last, now - last.answered < samplingStep { return }
        if samples.count == Self.maximumSamples { samples.removeFirst() }
        samples.append(Sample(sent: sent, answered: now))
    }
}
