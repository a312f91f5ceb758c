import Foundation
import Testing
import ZooKeeperProtocol
import ZooKeeperTestSupport

@testable import ZooKeeper

@Suite(.timeLimit(.minutes(3))) struct DigestTests {
    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func sha1Vectors() {
        #expect(hex(SHA1.hash(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(
            hex(SHA1.hash(Array(repeating: UInt8(ascii: "a"), count: 1000)))
                == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
        #expect(hex(SHA1.hash([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
    }

    @Test func base64() {
        #expect(Base64.encode([]) == "")
        #expect(Base64.encode(Array("f".utf8)) == "Zg==")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.encode(Array("foo".utf8)) == "Zm9v")
    }

    @Test func zooKeeperDigest() {
        // python3: base64.b64encode(hashlib.sha1(b"user:password").digest())
        #expect(
            Id.digest(user: "user", password: "password")
                == Id(scheme: "digest", id: "user:tpUq/4Pn5A64fVZyQ0gOJ8ZWqkY="))
        #expect(ACL.digest(user: "u", password: "p", permissions: .read).permissions == .read)
    }
}
