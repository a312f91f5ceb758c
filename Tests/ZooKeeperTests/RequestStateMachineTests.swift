import NIOCore
import Testing
import ZooKeeperProtocol

@testable import ZooKeeper

/// The request bookkeeping on its own: no connection, no server, no clock; waiters are numbers.
@Suite struct RequestStateMachineTests {
    typealias Machine = RequestStateMachine<Int>
    let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)
    let t1 = NIODeadline.uptimeNanoseconds(2_000_000_000)

    func request(
        _ id: UInt64, waiter: Int?, opCode: OpCode = .getData, watch: WatchRegistration? = nil
    ) -> Machine.Outgoing {
        var frame = ByteBuffer()
        frame.writeRequestFrame(xid: 0, GetDataRequest(path: "/n\(id)"))
        return Machine.Outgoing(id: id, frame: frame, opCode: opCode, watch: watch, waiter: waiter)
    }

    func xid(of frame: ByteBuffer?) -> Int32? {
        frame?.getInteger(at: frame!.readerIndex + 4, endianness: .big, as: Int32.self)
    }

    func answer(
        _ waiter: Int?, at sentAt: NIODeadline, opCode: OpCode = .getData, watch: Machine.RegisteredWatch? = nil
    ) -> Machine.ReplyAction {
        .answer(waiter: waiter, sentAt: sentAt, opCode: opCode, watch: watch)
    }

    @Test func requestsWaitForASessionThenGoInOrderWithXidsFromOne() {
        var machine = Machine()
        machine.queue(request(1, waiter: 10))
        machine.queue(request(2, waiter: 20))
        let frames = machine.sessionEstablished(now: t1)
        #expect(frames.map { xid(of: $0) } == [1, 2])
        #expect(machine.sessionEstablished(now: t1).isEmpty)
        #expect(xid(of: machine.send(request(3, waiter: 30), now: t1)) == 3)
        #expect(machine.replyReceived(xid: 1, error: .ok) == answer(10, at: t1))
        #expect(machine.replyReceived(xid: 2, error: .noNode) == answer(20, at: t1))
        #expect(machine.replyReceived(xid: 3, error: .ok) == answer(30, at: t1))
    }

    /// Requests whose deadline has come are abandoned, queued and written alike, each waiter told
    /// once with the time it was given; a written one's reply is then dropped. The earliest
    /// deadline left is named for the next look, and requests without one never expire.
    @Test func requestsPastTheirDeadlineExpireAndTheNextDeadlineIsNamed() {
        var machine = Machine()
        func limited(_ id: UInt64, seconds: Int64?) -> Machine.Outgoing {
            var outgoing = request(id, waiter: Int(id) * 10)
            outgoing.deadline = seconds.map { .init(at: t0 + .seconds($0), after: .seconds($0)) }
            return outgoing
        }
        _ = machine.send(limited(1, seconds: 1), now: t0)
        _ = machine.send(limited(2, seconds: 5), now: t0)
        _ = machine.send(limited(3, seconds: nil), now: t0)
        machine.queue(limited(4, seconds: 1))
        machine.queue(limited(5, seconds: 3))
        let first = machine.expire(now: t0 + .seconds(2))
        #expect(first.expired.map(\.waiter).sorted() == [10, 40])
        #expect(first.expired.map(\.after) == [.seconds(1), .seconds(1)])
        #expect(first.next == t0 + .seconds(3))
        #expect(machine.replyReceived(xid: 1, error: .ok) == answer(nil, at: t0))
        #expect(machine.abandon(id: 4) == nil)
        let second = machine.expire(now: t0 + .seconds(3))
        #expect(second.expired.map(\.waiter) == [50])
        #expect(second.next == t0 + .seconds(5))
        let third = machine.expire(now: t0 + .seconds(60))
        #expect(third.expired.map(\.waiter) == [20])
        #expect(third.next == nil)
        #expect(machine.expire(now: t0 + .seconds(61)).expired.isEmpty)
        #expect(machine.sessionEstablished(now: t1).isEmpty)
        #expect(machine.replyReceived(xid: 2, error: .ok) == answer(nil, at: t0))
        #expect(machine.replyReceived(xid: 3, error: .ok) == answer(30, at: t0))
    }

    @Test func aSASLTokenTakesTheNextXidOfTheSameCounter() {
        var machine = Machine()
        #expect(xid(of: machine.send(request(1, waiter: 10), now: t0)) == 1)
        #expect(machine.nextXid() == 2)
        #expect(xid(of: machine.send(request(2, waiter: 20), now: t0)) == 3)
    }

    @Test func aReplyOutOfStepIsAProtocolViolationAndLeavesTheRequestPending() {
        var machine = Machine()
        _ = machine.send(request(1, waiter: 10), now: t0)
        #expect(
            machine.replyReceived(xid: 7, error: .ok)
                == .protocolViolation("reply xid 7 does not match the oldest request"))
        #expect(machine.connectionLost() == [10])
        #expect(
            machine.replyReceived(xid: 1, error: .ok)
                == .protocolViolation("reply xid 1 does not match the oldest request"))
    }

    @Test func aWatchIsRegisteredWhenItsReplySaysSo() {
        let path = "/w"
        let watcher = WatcherID(rawValue: 5)
        let data = WatchRegistration(kind: .data, path: path, watcher: watcher, existsWatch: true)
        var machine = Machine()
        _ = machine.send(request(1, waiter: 10, watch: data), now: t0)
        _ = machine.send(request(2, waiter: 20, watch: data), now: t0)
        _ = machine.send(request(3, waiter: 30, watch: data), now: t0)
        #expect(
            machine.replyReceived(xid: 1, error: .ok)
                == answer(10, at: t0, watch: .init(kind: .data, path: path, watcher: watcher)))
        // exists on a missing node sets an exist watch.
        #expect(
            machine.replyReceived(xid: 2, error: .noNode)
                == answer(20, at: t0, watch: .init(kind: .exist, path: path, watcher: watcher)))
        #expect(machine.replyReceived(xid: 3, error: .noAuth) == answer(30, at: t0))
        // getData on a missing node sets none.
        let getData = WatchRegistration(kind: .data, path: path, watcher: watcher, existsWatch: false)
        _ = machine.send(request(4, waiter: 40, watch: getData), now: t0)
        #expect(machine.replyReceived(xid: 4, error: .noNode) == answer(40, at: t0))
        // Nobody waits any more: no watch either.
        _ = machine.send(request(5, waiter: 50, watch: data), now: t0)
        #expect(machine.abandon(id: 5) == 50)
        #expect(machine.replyReceived(xid: 5, error: .ok) == answer(nil, at: t0))
    }

    @Test func anAbandonedRequestIsDroppedFromTheQueueOrItsReplyIsDropped() {
        var machine = Machine()
        machine.queue(request(1, waiter: 10))
        machine.queue(request(2, waiter: 20))
        #expect(machine.abandon(id: 1) == 10)
        #expect(machine.abandon(id: 1) == nil)
        #expect(machine.sessionEstablished(now: t0).map { xid(of: $0) } == [1])
        #expect(machine.abandon(id: 2) == 20)
        #expect(machine.abandon(id: 2) == nil)
        #expect(machine.replyReceived(xid: 1, error: .ok) == answer(nil, at: t0))
        #expect(machine.abandon(id: 2) == nil)
    }

    @Test func aLostConnectionFailsWhatWasSentAndKeepsWhatWaits() {
        var machine = Machine()
        _ = machine.send(request(1, waiter: 10), now: t0)
        _ = machine.send(request(2, waiter: nil), now: t0)
        _ = machine.send(request(3, waiter: 30), now: t0)
        #expect(machine.abandon(id: 3) == 30)
        machine.queue(request(4, waiter: 40))
        #expect(machine.connectionLost() == [10])
        #expect(machine.connectionLost().isEmpty)
        #expect(machine.dropQueued() == [40])
        #expect(machine.sessionEstablished(now: t0).isEmpty)
    }

    @Test func aReplyNamesTheOpCodeOfItsRequest() {
        var machine = Machine()
        _ = machine.send(request(1, waiter: nil, opCode: .closeSession), now: t0)
        #expect(machine.replyReceived(xid: 1, error: .ok) == answer(nil, at: t0, opCode: .closeSession))
    }
}
