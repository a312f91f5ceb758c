import Testing
import ZooKeeperSASL

@Suite struct JAASConfigurationTests {
    @Test func readsClientAndServerSections() throws {
        let text = """
            /* ZooKeeper logins */
            Server {
              org.apache.zookeeper.server.auth.DigestLoginModule required
              user_super="adminsecret"
              user_alice="alice secret; with { braces }";
            };
            // the client
            Client {
              org.apache.zookeeper.server.auth.DigestLoginModule required
              username="alice"
              password="alice secret; with { braces }";
            };
            Kerberos {
              com.sun.security.auth.module.Krb5LoginModule required
              useKeyTab=true keyTab="/etc/zk.keytab" storeKey=true
              useTicketCache=false principal="alice@EXAMPLE.COM";
            };
            """
        let jaas = try JAASConfiguration(parsing: text)
        #expect(
            try jaas.clientLogin() == .digest(username: "alice", password: "alice secret; with { braces }"))
        #expect(
            try jaas.serverUsers() == ["super": "adminsecret", "alice": "alice secret; with { braces }"])
        #expect(
            try jaas.clientLogin(section: "Kerberos")
                == .kerberos(principal: "alice@EXAMPLE.COM", keytab: "/etc/zk.keytab", useTicketCache: false))
    }

    @Test func saysWhatIsWrongAndWhere() {
        #expect(
            throws: SASLError(
                "line 2 of the JAAS file: 'mandatory' is not a login module flag (required, requisite, sufficient, optional)"
            )
        ) {
            try JAASConfiguration(parsing: "Client {\n  Module mandatory;\n};")
        }
        #expect(throws: SASLError("line 1 of the JAAS file: a quote is not closed")) {
            try JAASConfiguration(parsing: #"Client { M required username="alice; };"#)
        }
        #expect(throws: SASLError("the JAAS file ends early: ';' expected")) {
            try JAASConfiguration(parsing: "Client { M required; }")
        }
        #expect(throws: SASLError("the JAAS file has no section named Client")) {
            try JAASConfiguration(parsing: "Server { M required; };").clientLogin()
        }
        #expect(throws: SASLError("the JAAS section Client needs username and password for DigestLoginModule")) {
            try JAASConfiguration(
                parsing: "Client { org.apache.zookeeper.server.auth.DigestLoginModule required username=alice; };"
            ).clientLogin()
        }
    }
}

@Suite struct SASLUsersFileTests {
    @Test func readsNamesAndPasswords() throws {
        #expect(
            try SASLUsersFile.parse("# users\nalice:a:b c\r\n\nbob:\n") == ["alice": "a:b c", "bob": ""])
        #expect(throws: SASLError("line 2 of the users file is not NAME:PASSWORD")) {
            try SASLUsersFile.parse("alice:x\nbob\n")
        }
    }
}
