import NIOCore
import Testing
import ZooKeeperProtocol

@Suite(.timeLimit(.minutes(3))) struct ACLTests {
    @Test func idGolden() {
        // Java jute: new Id("world", "anyone")
        expectGolden(Id.anyone, "00 00 00 05 77 6f 72 6c 64 00 00 00 06 61 6e 79 6f 6e 65")
    }

    @Test func aclGolden() {
        // Java jute: new ACL(31, new Id("world", "anyone")) and
        // new ACL(17, new Id("digest", "bob:kPb9eeKuyM9i3RFlXzYRrdUXX3M="))
        expectGolden(
            ACL(permissions: .all, id: .anyone),
            "00 00 00 1f 00 00 00 05 77 6f 72 6c 64 00 00 00 06 61 6e 79 6f 6e 65")
        expectGolden(
            Fixtures.twoACLs[0],
            """
            00 00 00 11 00 00 00 06 64 69 67 65 73 74 00 00 00 20 62 6f 62 3a 6b 50 62 39 65 65 4b 75 79 4d
            39 69 33 52 46 6c 58 7a 59 52 72 64 55 58 58 33 4d 3d
            """)
    }

    @Test func aclVectorGolden() throws {
        var buffer = ByteBuffer()
        buffer.writeJuteACLs(Fixtures.twoACLs)
        #expect(bytes(of: buffer) == hex(Fixtures.twoACLsHex))
        #expect(try buffer.readJuteACLs() == Fixtures.twoACLs)
        #expect(buffer.readableBytes == 0)
    }

    @Test func nullACLVectorReadsAsEmpty() throws {
        var buffer = buffer(hex("ff ff ff ff"))
        #expect(try buffer.readJuteACLs() == [])
        var empty = ByteBuffer()
        empty.writeJuteACLs([])
        #expect(bytes(of: empty) == hex("00 00 00 00"))
    }

    @Test func creatorIdHasEmptyIdAndNullIdDecodesAsEmpty() throws {
        expectGolden(Id.creator, "00 00 00 04 61 75 74 68 00 00 00 00")
        // kazoo writes "" as a null string.
        #expect(try decode(Id.self, hex("00 00 00 04 61 75 74 68 ff ff ff ff")) == Id.creator)
    }

    @Test func wellKnownACLs() {
        #expect(ACL.openUnsafe == [ACL(permissions: Permissions(rawValue: 31), id: Id(scheme: "world", id: "anyone"))])
        #expect(ACL.creatorAll == [ACL(permissions: Permissions(rawValue: 31), id: Id(scheme: "auth", id: ""))])
        #expect(ACL.readUnsafe == [ACL(permissions: Permissions(rawValue: 1), id: Id(scheme: "world", id: "anyone"))])
    }

    @Test func descriptions() {
        #expect(Id.anyone.description == "world:anyone")
        #expect(ACL(permissions: [.read, .admin], id: .anyone).description == "world:anyone:ra")
        #expect(ACL.openUnsafe[0].description == "world:anyone:cdrwa")
    }

    @Test func unknownPermissionBitsSurviveARoundTrip() throws {
        let acl = ACL(permissions: Permissions(rawValue: 0x7fff_ffe0), id: .anyone)
        #expect(try decode(ACL.self, encoded(acl)) == acl)
    }
}
