import Testing
import ZooKeeperProtocol

@Suite(.timeLimit(.minutes(3))) struct DigestAuthenticationTests {
    @Test func digestIdentities() {
        // The example from ZooKeeper's administrator guide (super:test), and Python's
        // base64.b64encode(hashlib.sha1("user:password".encode()).digest()) for the others.
        #expect(Id.digest(user: "super", password: "test").id == "super:D/InIHSb7yEEbrWz8b9l71RjZJU=")
        #expect(
            Id.digest(user: "bob", password: "secret") == Id(scheme: "digest", id: "bob:fyVmFCwVbTJYrznoSu1koqYEYF0="))
        #expect(Id.digest(user: "jörg", password: "pä55").id == "jörg:mLioxlAufNxyjnSQkbozooPMHu4=")
        #expect(ACL.digest(user: "bob", password: "secret").permissions == .all)
        #expect(ACL.digest(user: "bob", password: "secret", permissions: .read).id.scheme == "digest")
    }

}
