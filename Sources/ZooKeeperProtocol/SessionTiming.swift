/// The timing rules of a session that every client here follows, whatever does its I/O (the
/// event-loop client and the blocking one-shot reads of `zk`): those of ZooKeeper's own clients.
package enum SessionTiming {
    /// How long a connection may stay silent before the client judges it dead: two thirds of the
    /// negotiated session timeout, leaving a third to reach another server before the session
    /// expires.
    package static func readTimeout(negotiated milliseconds: Int32) -> Int64 {
        Int64(milliseconds) * 2 / 3
    }

    /// How long the client may stay silent before it pings: a twelfth of the negotiated timeout
    /// (Java's client waits a third). Answers that close together let the client prove contact
    /// with the leader after a quiet spell without a gap (see the client's `LeaderContact`): a
    /// sync then proves an answer a third to five twelfths of the timeout old, and the next
    /// answer a twelfth later, before ownership under `zk lock`'s margin of three tenths runs out.
    package static func pingInterval(negotiated milliseconds: Int32) -> Int64 {
        Int64(milliseconds) / 12
    }
}
