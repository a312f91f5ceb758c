import NIOCore
import Testing
import ZooKeeperProtocol
import ZooKeeperTestSupport

@testable import ZooKeeper

@Suite(.timeLimit(.minutes(3))) struct SessionStateMachineTests {
    let hosts = [ConnectString.Host(host: "a", port: 1), ConnectString.Host(host: "b", port: 2)]
    let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)

    func machine(recreate: Bool = true, failFast: Bool = false) -> SessionStateMachine {
        SessionStateMachine(
            hosts: hosts, sessionTimeout: 6000, allowReadOnly: false, recreateSessionOnExpiry: recreate,
            failFast: failFast)
    }

    func connected(_ m: inout SessionStateMachine, session: Int64 = 42) {
        _ = m.start()
        _ = m.channelActive(now: t0)
        _ = m.connectResponseReceived(
            ConnectResponse(timeout: 6000, sessionID: session, password: Array(repeating: 7, count: 16)), now: t0)
    }

    @Test func firstConnectSendsAFreshConnectRequest() {
        var m = machine()
        #expect(m.start() == [.connect(hosts[0], timeout: .seconds(2))])
        let actions = m.channelActive(now: t0)
        #expect(
            actions == [
                .sendConnectRequest(ConnectRequest(lastZxidSeen: 0, timeout: 6000, sessionID: 0, readOnly: false))
            ])
    }

    @Test func theSessionIsSafeUntilATimeoutAfterTheLeaderProvablyHeardFromTheClient() {
        var m = machine()
        #expect(m.sessionSafeUntil == nil)
        _ = m.start()
        _ = m.channelActive(now: t0)
        #expect(m.sessionSafeUntil == nil)
        // The connect response comes later; the leader validated the session after it was sent.
        _ = m.connectResponseReceived(
            ConnectResponse(timeout: 6000, sessionID: 42, password: Array(repeating: 7, count: 16)),
            now: t0 + .milliseconds(300))
        #expect(m.sessionSafeUntil == t0 + .milliseconds(6000))
        // A ping answered by a follower proves nothing by itself, nor does a sync sent less than
        // a third of the timeout (2 s) after it was answered.
        m.answered(sentAt: t0 + .seconds(1), now: t0 + .milliseconds(1100), byLeader: false)
        m.answered(sentAt: t0 + .seconds(2), now: t0 + .milliseconds(2100), byLeader: true)
        #expect(m.sessionSafeUntil == t0 + .seconds(6))
        // A sync sent 2 s or more after the ping's answer proves the ping reached the leader.
        m.answered(sentAt: t0 + .milliseconds(3100), now: t0 + .milliseconds(3200), byLeader: true)
        #expect(m.sessionSafeUntil == t0 + .seconds(7))
        // ... and the first sync, later: never back.
        m.answered(sentAt: t0 + .milliseconds(4100), now: t0 + .milliseconds(4200), byLeader: true)
        #expect(m.sessionSafeUntil == t0 + .seconds(8))
        m.answered(sentAt: t0 + .milliseconds(4150), now: t0 + .milliseconds(4300), byLeader: true)
        #expect(m.sessionSafeUntil == t0 + .seconds(8))
        // Frames received (notifications) and the loss of the connection do not move it.
        m.frameReceived(now: t0 + .seconds(5))
        _ = m.channelClosed()
        #expect(m.sessionSafeUntil == t0 + .seconds(8))
        // A reconnect with the same session does, from when its connect request was sent; the
        // old connection's answers prove nothing on the new one.
        _ = m.channelActive(now: t0 + .seconds(6))
        _ = m.connectResponseReceived(
            ConnectResponse(timeout: 6000, sessionID: 42, password: Array(repeating: 7, count: 16)),
            now: t0 + .seconds(7))
        #expect(m.sessionSafeUntil == t0 + .seconds(12))
        m.answered(sentAt: t0 + .seconds(9), now: t0 + .seconds(9), byLeader: true)
        #expect(m.sessionSafeUntil == t0 + .seconds(12))
        // An expired session has no such moment.
        _ = m.channelClosed()
        _ = m.channelActive(now: t0 + .seconds(20))
        _ = m.connectResponseReceived(
            ConnectResponse(timeout: 0, sessionID: 0, password: Array(repeating: 0, count: 16)),
            now: t0 + .seconds(20))
        #expect(m.sessionSafeUntil == nil)
    }

    @Test func aReadOnlyServerProvesNoContactWithTheLeader() {
        var m = SessionStateMachine(
            hosts: hosts, sessionTimeout: 6000, allowReadOnly: true, recreateSessionOnExpiry: true)
        connected(&m)
        _ = m.channelClosed()
        _ = m.channelActive(now: t0 + .seconds(3))
        _ = m.connectResponseReceived(
            ConnectResponse(
                timeout: 6000, sessionID: 42, password: Array(repeating: 7, count: 16), readOnly: true),
            now: t0 + .seconds(3))
        m.answered(sentAt: t0 + .seconds(3), now: t0 + .seconds(3), byLeader: false)
        m.answered(sentAt: t0 + .seconds(5), now: t0 + .seconds(5), byLeader: true)
        #expect(m.sessionSafeUntil == t0 + .seconds(6))
    }

    @Test func ownershipLastsUntilAMarginBeforeTheSessionCouldExpireAndEndsWithTheSession() {
        var m = machine()
        connected(&m)  // 6 s, the leader heard from the client at t0
        let margin = TimeAmount.seconds(1)
        #expect(m.ownership(of: 42, margin: margin, now: t0) == .safe(until: t0 + .seconds(5)))
        // Not another session's, nor after the cutoff with nothing proven meanwhile.
        #expect(m.ownership(of: 41, margin: margin, now: t0) == .lost(.sessionEnded))
        #expect(m.ownership(of: 42, margin: margin, now: t0 + .seconds(5)) == .lost(.noContact))
        // A proof of contact moves the cutoff on; a lost connection does not end it by itself.
        m.answered(sentAt: t0 + .seconds(1), now: t0 + .seconds(1), byLeader: false)
        m.answered(sentAt: t0 + .seconds(3), now: t0 + .seconds(3), byLeader: true)
        _ = m.channelClosed()
        #expect(m.ownership(of: 42, margin: margin, now: t0 + .seconds(5)) == .safe(until: t0 + .seconds(6)))
        // Expired (and a new session on its way), or closed: it ends at once.
        _ = m.channelActive(now: t0 + .seconds(5))
        var expired = m
        _ = expired.connectResponseReceived(
            ConnectResponse(timeout: 0, sessionID: 0, password: Array(repeating: 0, count: 16)), now: t0 + .seconds(5))
        #expect(expired.ownership(of: 42, margin: margin, now: t0 + .seconds(5)) == .lost(.sessionExpired))
        _ = m.connectResponseReceived(
            ConnectResponse(timeout: 6000, sessionID: 42, password: Array(repeating: 7, count: 16)),
            now: t0 + .seconds(5))
        _ = m.close()
        #expect(m.ownership(of: 42, margin: margin, now: t0 + .seconds(6)) == .lost(.clientClosed))
    }

    @Test func whileOwnershipIsWatchedTheClientSyncsEvery48thOfTheTimeout() {
        var m = machine()  // 6 s: a sync every 125 ms, a ping after 500 ms without sending
        connected(&m)
        #expect(m.tick(now: t0 + .milliseconds(300)) == [])
        m.ownershipWatched(true)
        #expect(m.tick(now: t0 + .milliseconds(400)) == [.sendSync])
        m.frameReceived(now: t0 + .milliseconds(400))
        #expect(m.tick(now: t0 + .milliseconds(500)) == [])
        #expect(m.tick(now: t0 + .milliseconds(525)) == [.sendSync])
        m.frameReceived(now: t0 + .milliseconds(525))
        #expect(m.tick(now: t0 + .milliseconds(650)) == [.sendSync])
        m.frameReceived(now: t0 + .milliseconds(650))
        // The syncs stand in for pings; without watchers, pings come back.
        m.ownershipWatched(false)
        #expect(m.tick(now: t0 + .milliseconds(1100)) == [])
        #expect(m.tick(now: t0 + .milliseconds(1150)) == [.sendPing])
    }

    @Test func establishedSessionIsReported() {
        var m = machine()
        _ = m.start()
        _ = m.channelActive(now: t0)
        let actions = m.connectResponseReceived(
            ConnectResponse(timeout: 4000, sessionID: 9, password: Array(repeating: 1, count: 16), readOnly: true),
            now: t0)
        #expect(actions == [.established(sessionID: 9, newSession: true, readOnly: true)])
        #expect(m.phase == .connected(readOnly: true))
        #expect(m.readTimeout == .milliseconds(2666))
        #expect(m.pingInterval == .milliseconds(333))
    }

    @Test func connectionLossMovesToTheNextHostWithTheSameSessionAndZxid() {
        var m = machine()
        connected(&m)
        m.zxidSeen(77)
        m.zxidSeen(5)
        #expect(m.channelClosed() == [.connectionLost, .connect(hosts[1], timeout: .seconds(2))])
        let actions = m.channelActive(now: t0)
        #expect(
            actions == [
                .sendConnectRequest(
                    ConnectRequest(
                        lastZxidSeen: 77, timeout: 6000, sessionID: 42, password: Array(repeating: 7, count: 16),
                        readOnly: false))
            ])
        let resumed = m.connectResponseReceived(
            ConnectResponse(timeout: 6000, sessionID: 42, password: Array(repeating: 7, count: 16)), now: t0)
        #expect(resumed == [.established(sessionID: 42, newSession: false, readOnly: false)])
    }

    @Test func aRoundOfFailuresBacksOffThenRetries() {
        var m = machine()
        _ = m.start()
        #expect(m.connectFailed() == [.connect(hosts[1], timeout: .seconds(2))])
        #expect(m.connectFailed() == [.scheduleReconnect(after: .milliseconds(50))])
        #expect(m.phase == .waitingToReconnect)
        #expect(m.reconnectTimerFired() == [.connect(hosts[0], timeout: .seconds(2))])
        _ = m.connectFailed()
        #expect(m.connectFailed() == [.scheduleReconnect(after: .milliseconds(100))])
        #expect(SessionStateMachine.backoff(afterFailedRounds: 50) == .seconds(1))
    }

    @Test func rejectedSessionExpiresAndStartsANewOne() {
        var m = machine()
        connected(&m)
        _ = m.channelClosed()
        _ = m.channelActive(now: t0)
        let actions = m.connectResponseReceived(ConnectResponse(timeout: 0, sessionID: 0, password: []), now: t0)
        #expect(actions == [.closeConnection, .sessionExpired, .connect(hosts[1], timeout: .seconds(2))])
        #expect(m.sessionID == 0)
        _ = m.channelActive(now: t0)
        #expect(m.phase == .handshaking(since: t0))
    }

    @Test func rejectedSessionWithoutRecreationIsTerminal() {
        var m = machine(recreate: false)
        connected(&m)
        _ = m.channelClosed()
        _ = m.channelActive(now: t0)
        let actions = m.connectResponseReceived(ConnectResponse(timeout: -1, sessionID: 0, password: []), now: t0)
        #expect(actions == [.closeConnection, .sessionExpired])
        #expect(m.isTerminal)
        #expect(m.start() == [])
    }

    @Test func idleConnectionPingsAndSilentOneIsDropped() {
        var m = machine()
        connected(&m)
        #expect(m.tick(now: t0 + .milliseconds(400)) == [])
        #expect(m.tick(now: t0 + .milliseconds(500)) == [.sendPing])
        #expect(m.tick(now: t0 + .milliseconds(600)) == [])
        m.frameReceived(now: t0 + .milliseconds(600))
        #expect(m.tick(now: t0 + .milliseconds(900)) == [])
        #expect(m.tick(now: t0 + .milliseconds(1000)) == [.sendPing])
        #expect(m.tick(now: t0 + .milliseconds(1500)) == [.sendPing])
        #expect(m.tick(now: t0 + .milliseconds(4000)) == [.sendPing])
        let actions = m.tick(now: t0 + .milliseconds(4600))
        #expect(actions == [.closeConnection, .connectionLost, .connect(hosts[1], timeout: .seconds(2))])
    }

    @Test func handshakeThatNeverAnswersTimesOut() {
        var m = machine()
        _ = m.start()
        _ = m.channelActive(now: t0)
        #expect(m.tick(now: t0 + .milliseconds(1999)) == [])
        #expect(m.tick(now: t0 + .seconds(2)) == [.closeConnection, .connect(hosts[1], timeout: .seconds(2))])
    }

    @Test func closeWhileConnectedSendsCloseSession() {
        var m = machine()
        connected(&m)
        #expect(m.close() == [.sendCloseSession])
        #expect(m.close() == [])
        #expect(m.closeCompleted() == [.closeConnection, .closed])
        #expect(m.phase == .closed)
    }

    @Test func closeWhileConnectingClosesAtOnce() {
        var m = machine()
        _ = m.start()
        #expect(m.close() == [.closeConnection, .closed])
        #expect(m.connectFailed() == [])
    }

    @Test func closeWhileReconnectingClosesTheSessionOnceReconnected() {
        var m = machine()
        connected(&m)
        _ = m.channelClosed()
        #expect(m.close() == [])
        #expect(m.isClosing)
        _ = m.channelActive(now: t0)
        let actions = m.connectResponseReceived(
            ConnectResponse(timeout: 6000, sessionID: 42, password: Array(repeating: 7, count: 16)), now: t0)
        #expect(actions == [.sendCloseSession])
        #expect(m.closeCompleted() == [.closeConnection, .closed])
    }

    @Test func closeWhileReconnectingGivesUpAfterTheTimeout() {
        var m = machine()
        connected(&m)
        _ = m.channelClosed()
        _ = m.close()
        #expect(m.closeCompleted() == [.closeConnection, .closed])
        #expect(m.channelActive(now: t0) == [])
    }

    @Test func authFailureIsTerminal() {
        var m = machine()
        connected(&m)
        #expect(m.authFailed() == [.closeConnection, .authFailed])
        #expect(m.channelClosed() == [])
        #expect(m.phase == .authFailed)
    }

    @Test func resumedSessionSendsItsIDAndPassword() {
        var m = SessionStateMachine(
            hosts: hosts, sessionTimeout: 6000, allowReadOnly: true, recreateSessionOnExpiry: true,
            resuming: ZooKeeperClient.SessionCredentials(id: 5, password: Array(repeating: 3, count: 16)))
        _ = m.start()
        #expect(
            m.channelActive(now: t0) == [
                .sendConnectRequest(
                    ConnectRequest(
                        timeout: 6000, sessionID: 5, password: Array(repeating: 3, count: 16), readOnly: true))
            ])
    }

    // MARK: Failing fast

    /// Both hosts fail definitively: one round and the backoff, then the second round gives up.
    @Test func everyHostRefusingTwiceGivesUp() {
        var m = machine(failFast: true)
        _ = m.start()
        #expect(m.connectFailed(definitive: true) == [.connect(hosts[1], timeout: .seconds(2))])
        #expect(m.connectFailed(definitive: true) == [.scheduleReconnect(after: .milliseconds(50))])
        #expect(m.reconnectTimerFired() == [.connect(hosts[0], timeout: .seconds(2))])
        #expect(m.connectFailed(definitive: true) == [.connect(hosts[1], timeout: .seconds(2))])
        #expect(m.connectFailed(definitive: true) == [.giveUpConnecting, .closed])
        #expect(m.phase == .closed)
        #expect(m.reconnectTimerFired() == [])
    }

    /// A server of another kind (or a TLS failure) ends the connection after it opened: that
    /// counts as a definitive failure too.
    @Test func definitiveFailuresDuringTheHandshakeCount() {
        var m = machine(failFast: true)
        _ = m.start()
        for round in 1...2 {
            _ = m.channelActive(now: t0)
            _ = m.channelClosed(definitive: true)
            _ = m.channelActive(now: t0)
            let actions = m.channelClosed(definitive: true)
            if round == 1 {
                #expect(actions == [.scheduleReconnect(after: .milliseconds(50))])
                _ = m.reconnectTimerFired()
            } else {
                #expect(actions == [.giveUpConnecting, .closed])
            }
        }
    }

    /// A host that might answer later (a timeout, a closed connection) keeps the client trying:
    /// only rounds in which every attempt failed definitively count, and only in a row.
    @Test func anyOtherFailureKeepsTrying() {
        var m = machine(failFast: true)
        _ = m.start()
        var rounds: [[SessionStateMachine.Action]] = []
        // Definitive, then a round with a handshake timeout, then definitive twice.
        for timedOut in [false, true, false, false] {
            _ = m.connectFailed(definitive: true)
            if timedOut {
                _ = m.channelActive(now: t0)
                rounds.append(m.tick(now: t0 + .seconds(2)))
            } else {
                rounds.append(m.connectFailed(definitive: true))
            }
            _ = m.reconnectTimerFired()
        }
        #expect(
            rounds == [
                [.scheduleReconnect(after: .milliseconds(50))],
                [.closeConnection, .scheduleReconnect(after: .milliseconds(100))],
                [.scheduleReconnect(after: .milliseconds(200))],
                [.giveUpConnecting, .closed],
            ])
    }

    @Test func withoutFailFastRefusalsAreRetriedUntilTheTimeout() {
        var m = machine()
        _ = m.start()
        for round in 1...5 {
            _ = m.connectFailed(definitive: true)
            let actions = m.connectFailed(definitive: true)
            #expect(actions == [.scheduleReconnect(after: SessionStateMachine.backoff(afterFailedRounds: round))])
            _ = m.reconnectTimerFired()
        }
        #expect(m.phase == .connecting)
    }

    /// Only the first session fails fast: a client that had one keeps trying until closed.
    @Test func aClientThatHadASessionNeverGivesUp() {
        var m = machine(failFast: true)
        connected(&m)
        #expect(m.channelClosed() == [.connectionLost, .connect(hosts[1], timeout: .seconds(2))])
        for round in 1...5 {
            _ = m.connectFailed(definitive: true)
            let actions = m.connectFailed(definitive: true)
            #expect(actions == [.scheduleReconnect(after: SessionStateMachine.backoff(afterFailedRounds: round))])
            _ = m.reconnectTimerFired()
        }
        #expect(m.sessionID == 42)
    }
}
