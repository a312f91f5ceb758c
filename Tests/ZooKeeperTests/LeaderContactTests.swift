import NIOCore
import Testing

@testable import ZooKeeper

/// The proof of contact with the leader: an answer, then a request needing the leader sent at
/// least a third of the session timeout later and answered successfully.
@Suite struct LeaderContactTests {
    let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)

    func ms(_ value: Int64) -> NIODeadline { t0 + .milliseconds(value) }

    @Test func anAnswerCountsOnceARequestNeedingTheLeaderFollowsAThirdOfTheTimeoutLater() {
        var contact = LeaderContact(sessionTimeout: .seconds(3), confirmed: t0)
        contact.answered(sent: ms(100), now: ms(150), byLeader: false)
        contact.answered(sent: ms(400), now: ms(450), byLeader: false)
        // 999 ms after the first answer: not yet.
        contact.answered(sent: ms(1149), now: ms(1200), byLeader: true)
        #expect(contact.confirmed == t0)
        // 1 s after it: the first ping, not the second (answered 700 ms before).
        contact.answered(sent: ms(1150), now: ms(1210), byLeader: true)
        #expect(contact.confirmed == ms(100))
        // Later proofs reach the later answers, the proofs among them.
        contact.answered(sent: ms(2300), now: ms(2350), byLeader: true)
        #expect(contact.confirmed == ms(1149))
    }

    @Test func answersFromAnEarlierConnectionProveNothing() {
        var contact = LeaderContact(sessionTimeout: .seconds(3), confirmed: t0)
        contact.answered(sent: ms(100), now: ms(150), byLeader: false)
        contact.connectionClosed()
        contact.answered(sent: ms(2000), now: ms(2100), byLeader: true)
        #expect(contact.confirmed == t0)
        contact.sessionValidated(requestSent: ms(2500))
        #expect(contact.confirmed == ms(2500))
        #expect(contact.samples.isEmpty)
    }

    @Test func theConfirmedMomentNeverMovesBack() {
        var contact = LeaderContact(sessionTimeout: .seconds(3), confirmed: ms(5000))
        contact.answered(sent: ms(100), now: ms(150), byLeader: false)
        contact.answered(sent: ms(2000), now: ms(2100), byLeader: true)
        #expect(contact.confirmed == ms(5000))
        contact.sessionValidated(requestSent: ms(4000))
        #expect(contact.confirmed == ms(5000))
    }

    @Test func aBusyConnectionKeepsFewSamplesAndStillProvesRecentContact() {
        var contact = LeaderContact(sessionTimeout: .seconds(3), confirmed: t0)
        // 10,000 answers a millisecond apart: one sample per 62.5 ms kept, 48 at most.
        for step in Int64(0)..<10_000 {
            contact.answered(sent: ms(step), now: ms(step + 1), byLeader: false)
            #expect(contact.samples.count <= LeaderContact.maximumSamples)
        }
        contact.answered(sent: ms(10_000), now: ms(10_001), byLeader: true)
        // The latest sample answered by 9,000 ms was sent within a sampling step before.
        #expect(contact.confirmed <= ms(9_000))
        #expect(contact.confirmed >= ms(9_000) - contact.samplingStep)
    }
}
