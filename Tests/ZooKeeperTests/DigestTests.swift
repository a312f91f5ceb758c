import Foundation
import Testing
import ZooKeeperProtocol
import ZooKeeperTestSupport

@testable import ZooKeeper

@Suite(.timeLimit(.minutes(3))) struct DigestTests {
    @Test func zooKeeperDigest() {
        // python3: base64.b64encode(hashlib.sha1(b"user:password").digest())
        #expect(
            Id.digest(user: "user", password: "password")
                == Id(scheme: "digest", id: "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY="))
        #expect(ACL.digest(user: "u", password: "p", permissions: .read).permissions == .read)
    }
}
