import NIOCore
import Testing
import ZooKeeperProtocol

@testable import ZooKeeper

/// The session machine with SASL: each connection authenticates before the session is usable.
@Suite struct SessionStateMachineSASLTests {
    let hosts = [ConnectString.Host(host: "a", port: 1), ConnectString.Host(host: "b", port: 2)]
    let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)
    let response = ConnectResponse(timeout: 6000, sessionID: 42, password: Array(repeating: 7, count: 16))

    func authenticating() -> SessionStateMachine {
        var m = SessionStateMachine(
            hosts: hosts, sessionTimeout: 6000, allowReadOnly: false, recreateSessionOnExpiry: true,
            authenticatesWithSASL: true)
        _ = m.start()
        _ = m.channelActive(now: t0)
        #expect(m.connectResponseReceived(response, now: t0) == [.authenticate])
        return m
    }

    @Test func theSessionIsEstablishedOnlyOnceTheExchangeSucceeds() {
        var m = authenticating()
        #expect(!m.isConnected)
        #expect(m.tick(now: t0 + .seconds(1)) == [])
        #expect(m.saslCompleted() == [.established(sessionID: 42, newSession: true, readOnly: false)])
        #expect(m.isConnected)
        // A reconnect authenticates again, then re-establishes the same session.
        #expect(m.channelClosed() == [.connectionLost, .connect(hosts[1], timeout: .seconds(2))])
        _ = m.channelActive(now: t0 + .seconds(2))
        #expect(m.connectResponseReceived(response, now: t0 + .seconds(2)) == [.authenticate])
        #expect(m.saslCompleted() == [.established(sessionID: 42, newSession: false, readOnly: false)])
    }

    @Test func aServerSilentDuringTheExchangeIsLeft() {
        var m = authenticating()
        #expect(
            m.tick(now: t0 + .seconds(2))
                == [.closeConnection, .connectionLost, .connect(hosts[1], timeout: .seconds(2))])
    }

    @Test func aRefusedLoginStopsTheClient() {
        var m = authenticating()
        #expect(m.authFailed() == [.closeConnection, .authFailed])
        #expect(m.isTerminal)
        #expect(m.saslCompleted() == [])
    }

    @Test func closingDuringTheExchangeClosesTheSessionAfterIt() {
        var m = authenticating()
        #expect(m.close() == [])
        #expect(m.saslCompleted() == [.sendCloseSession])
    }
}
