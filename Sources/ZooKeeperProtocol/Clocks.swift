import NIOConcurrencyHelpers
import NIOCore

// The event loops' timers run on NIO's uptime clock; the public API speaks Swift's continuous
// clock. A conversion goes through one pair of readings of both clocks taken at the same moment,
// kept as long as the clocks keep step, so that a moment converts to the same instant every time.

extension ContinuousClock.Instant {
    /// The moment of `deadline` (on NIO's uptime clock) on the continuous clock.
    package init(_ deadline: NIODeadline) {
        let reference = ClockReference.current()
        let ahead = Int64(bitPattern: deadline.uptimeNanoseconds &- reference.uptime)
        self = reference.instant.advanced(by: .nanoseconds(ahead))
    }
}

extension NIODeadline {
    /// The moment of `instant` (on the continuous clock) on NIO's uptime clock.
    package init(_ instant: ContinuousClock.Instant) {
        let reference = ClockReference.current()
        let ahead = reference.instant.duration(to: instant).nanoseconds
        self = .uptimeNanoseconds(UInt64(bitPattern: Int64(bitPattern: reference.uptime) &+ ahead))
    }
}

extension Duration {
    /// The duration in whole milliseconds, as ZooKeeper's records give times.
    package var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// The duration in whole nanoseconds.
    package var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// Readings of the continuous clock and the uptime clock at the same moment.
private struct ClockReference: Sendable {
    var instant: ContinuousClock.Instant
    var uptime: UInt64

    private static let kept = NIOLockedValueBox<ClockReference?>(nil)

    /// The reference pair, taken again when the clocks have drifted apart by more than a
    /// millisecond since it was taken (the continuous clock also counts time the system was
    /// suspended; the uptime clock does not).
    static func current() -> ClockReference {
        let now = measure()
        return kept.withLockedValue { kept in
            if let reference = kept {
                let expected = reference.instant.advanced(
                    by: .nanoseconds(Int64(bitPattern: now.uptime &- reference.uptime)))
                let drift = expected.duration(to: now.instant)
                if drift < .milliseconds(1) && drift > .milliseconds(-1) { return reference }
            }
            kept = now
            return now
        }
    }

    /// Both clocks read at (nearly) the same moment: the continuous clock between two readings of
    /// the uptime clock, the closest of a few tries kept.
    private static func measure() -> ClockReference {
        var best: (reference: ClockReference, spread: UInt64)?
        for _ in 0..<5 {
            let before = NIODeadline.now().uptimeNanoseconds
            let instant = ContinuousClock.now
            let spread = NIODeadline.now().uptimeNanoseconds - before
            if spread < best?.spread ?? .max {
                best = (ClockReference(instant: instant, uptime: before + spread / 2), spread)
            }
            if spread < 10_000 { break }
        }
        return best!.reference
    }
}
