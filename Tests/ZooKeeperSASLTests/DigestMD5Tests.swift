import Testing

@testable import ZooKeeperSASL

@Suite struct DigestMD5Tests {
    /// RFC 2831 section 4's example (IMAP): the client's response and the server's rspauth.
    static let rfcChallenge = Array(
        #"realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8"#.utf8)

    @Test func clientAnswersRFC2831Example() throws {
        var client = DigestMD5Client(
            username: "chris", password: "secret", service: "imap", host: "elwood.innosoft.com",
            cnonce: "OA6MHXh6VqTrRk")
        #expect(try client.initialResponse() == [])
        let step = try client.evaluate(Self.rfcChallenge)
        let expected =
            #"charset=utf-8,username="chris",realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",nc=00000001,"#
            + #"cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",maxbuf=65536,"#
            + #"response=d388dad90d4bbd760a152321f2143af7,qop=auth"#
        #expect(step == .respond(Array(expected.utf8)))
        #expect(try client.evaluate(Array("rspauth=ea40f60335c427b5527b84dbabcdfffd".utf8)) == .complete)
    }

    /// One login of alice (password `alicepw`) to Apache ZooKeeper 3.8: its challenge, the
    /// response it accepted, and its rspauth.
    enum Apache {
        static let challenge =
            #"realm="zk-sasl-md5",nonce="VZkXnrqEWzC9eGmetLXkvRri4/Iz/WAZyjh8kIUI",charset=utf-8,algorithm=md5-sess"#
        static let response =
            #"charset=utf-8,username="alice",realm="zk-sasl-md5",nonce="VZkXnrqEWzC9eGmetLXkvRri4/Iz/WAZyjh8kIUI","#
            + #"nc=00000001,cnonce="0123456789abcdef0123456789abcdef",digest-uri="zookeeper/zk-sasl-md5","#
            + #"maxbuf=65536,response=1a0d01e78c626b32395f0da1109cc99f,qop=auth"#
        static let rspauth = "rspauth=cbc233f858877a1c099b82907f0cce07"
    }

    @Test func clientAnswersApacheZooKeeperAsItAccepted() throws {
        var client = DigestMD5Client(
            username: "alice", password: "alicepw", host: "zk-sasl-md5", cnonce: "0123456789abcdef0123456789abcdef")
        _ = try client.initialResponse()
        #expect(try client.evaluate(Array(Apache.challenge.utf8)) == .respond(Array(Apache.response.utf8)))
        #expect(try client.evaluate(Array(Apache.rspauth.utf8)) == .complete)
    }

    @Test func serverChallengesAndConfirmsAsApacheZooKeeper() throws {
        var server = DigestMD5Server(nonce: "VZkXnrqEWzC9eGmetLXkvRri4/Iz/WAZyjh8kIUI") {
            $0 == "alice" ? "alicepw" : nil
        }
        #expect(try server.evaluate([]) == .challenge(Array(Apache.challenge.utf8)))
        #expect(
            try server.evaluate(Array(Apache.response.utf8))
                == .complete(token: Array(Apache.rspauth.utf8), authorizationID: "alice"))
    }

    @Test func clientRefusesAServerThatDoesNotKnowThePassword() throws {
        var client = DigestMD5Client(
            username: "chris", password: "secret", service: "imap", host: "elwood.innosoft.com",
            cnonce: "OA6MHXh6VqTrRk")
        _ = try client.initialResponse()
        _ = try client.evaluate(Self.rfcChallenge)
        #expect(throws: SASLError("the server could not prove it knows the password (wrong rspauth)")) {
            try client.evaluate(Array("rspauth=00000000000000000000000000000000".utf8))
        }
    }

    @Test func clientSaysWhenTheServerOffersNoSASL() throws {
        var client = DigestMD5Client(username: "alice", password: "pw", host: "zk1")
        _ = try client.initialResponse()
        #expect(throws: SASLError("the server does not offer SASL authentication (it sent no challenge)")) {
            try client.evaluate([])
        }
    }

    @Test func serverChecksTheRFC2831Example() throws {
        var server = DigestMD5Server(realm: "elwood.innosoft.com", service: "imap", nonce: "OA6MG9tEQGm2hh") {
            $0 == "chris" ? "secret" : nil
        }
        guard case .challenge(let challenge) = try server.evaluate([]) else {
            Issue.record("no challenge")
            return
        }
        #expect(
            String(decoding: challenge, as: UTF8.self)
                == #"realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",charset=utf-8,algorithm=md5-sess"#)
        var client = DigestMD5Client(
            username: "chris", password: "secret", service: "imap", host: "elwood.innosoft.com",
            cnonce: "OA6MHXh6VqTrRk")
        _ = try client.initialResponse()
        guard case .respond(let response) = try client.evaluate(challenge) else {
            Issue.record("no response")
            return
        }
        let final = try server.evaluate(response)
        #expect(
            final
                == .complete(
                    token: Array("rspauth=ea40f60335c427b5527b84dbabcdfffd".utf8), authorizationID: "chris"))
    }

    @Test(arguments: [("alice", "wrong"), ("mallory", "secret")])
    func serverRefusesWrongPasswordsAndUnknownUsers(user: String, password: String) throws {
        var server = DigestMD5Server { $0 == "alice" ? "secret" : nil }
        guard case .challenge(let challenge) = try server.evaluate([]) else {
            Issue.record("no challenge")
            return
        }
        var client = DigestMD5Client(username: user, password: password, host: "127.0.0.1")
        _ = try client.initialResponse()
        guard case .respond(let response) = try client.evaluate(challenge) else {
            Issue.record("no response")
            return
        }
        #expect(throws: SASLError.self) { try server.evaluate(response) }
    }

    @Test func nonLatin1NamesAreHashedAsUTF8() throws {
        var server = DigestMD5Server { $0 == "Zoë-日本" ? "pässwörd-€" : nil }
        guard case .challenge(let challenge) = try server.evaluate([]) else {
            Issue.record("no challenge")
            return
        }
        var client = DigestMD5Client(username: "Zoë-日本", password: "pässwörd-€", host: "zk1")
        _ = try client.initialResponse()
        guard case .respond(let response) = try client.evaluate(challenge),
            case .complete(let rspauth, "Zoë-日本") = try server.evaluate(response)
        else {
            Issue.record("the login failed")
            return
        }
        #expect(try client.evaluate(rspauth) == .complete)
    }

    @Test func directivesKeepQuotedCommasAndEscapes() throws {
        let directives = try DigestMD5Directives(
            parsing: Array(#"realm="a,b",nonce="x\"y", qop="auth,auth-int" ,realm=c"#.utf8))
        #expect(directives.all("realm") == ["a,b", "c"])
        #expect(directives["nonce"] == #"x"y"#)
        #expect(directives["qop"] == "auth,auth-int")
        #expect(throws: SASLError.self) { try DigestMD5Directives(parsing: Array(#"realm="open"#.utf8)) }
    }
}
