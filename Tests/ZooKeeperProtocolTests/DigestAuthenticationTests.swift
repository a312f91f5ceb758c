import Testing
import ZooKeeperProtocol

@Suite(.timeLimit(.minutes(3))) struct DigestAuthenticationTests {
    static func hexString(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    // Python: hashlib.sha1(bytes((i*7+3)%256 for i in range(n))).hexdigest(): lengths around the
    // 55/56/64-byte padding boundaries, where a one-block/two-block mistake would show.
    @Test(arguments: [
        (55, "ddf57317ef34bfee3b6df83d359098930eb278bc"),
        (56, "a0d492bb0fc889d0eca3bc137066ab6f4f74f369"),
        (63, "c55856749bef509bdfe6bfebfc7bf4e793e82132"),
        (64, "bede92be29c3874e1b54ddc77988d606fc857a8e"),
        (65, "b05a80522b053d6dc7e0a517d0e70212c7dad11f"),
        (119, "504e27376a6e0f0dba8295b85cb25dc4dfa17d23"),
        (120, "82134b02fb3f702491be9bed581eeab59334acb2"),
    ])
    func sha1AtBlockBoundaries(length: Int, expected: String) {
        let message = (0..<length).map { UInt8(($0 * 7 + 3) % 256) }
        #expect(Self.hexString(SHA1.hash(message)) == expected)
    }

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

    @Test func base64Padding() {
        #expect(Base64.encode([0xff]) == "/w==")
        #expect(Base64.encode([0xff, 0xfe]) == "//4=")
        #expect(Base64.encode([0xfb, 0xff, 0xbf]) == "+/+/")
        #expect(Base64.encode(Array("Man".utf8)) == "TWFu")
    }
}
