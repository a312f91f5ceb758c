import Testing
import ZooKeeperProtocol

// Values checked against Apache ZooKeeper 3.8.0's ZooDefs.Perms and CreateMode by reflection.
@Suite(.timeLimit(.minutes(3))) struct PermissionsTests {
    @Test func bitValues() {
        #expect(Permissions.read.rawValue == 1)
        #expect(Permissions.write.rawValue == 2)
        #expect(Permissions.create.rawValue == 4)
        #expect(Permissions.delete.rawValue == 8)
        #expect(Permissions.admin.rawValue == 16)
        #expect(Permissions.all.rawValue == 31)
    }

    @Test(arguments: [
        ("cdrwa", Int32(31)), ("awrdc", 31), ("r", 1), ("w", 2), ("c", 4), ("d", 8), ("a", 16), ("ra", 17),
        ("rr", 1), ("", 0),
    ])
    func parsesLetters(letters: String, raw: Int32) {
        #expect(Permissions(letters: letters) == Permissions(rawValue: raw))
    }

    @Test(arguments: ["x", "rwx", "R", "CDRWA", "r w", "r,w", "all"])
    func rejectsOtherCharacters(letters: String) {
        #expect(Permissions(letters: letters) == nil)
    }

    @Test func parsesSubstrings() {
        let acl = "world:anyone:rw"
        #expect(Permissions(letters: acl.split(separator: ":").last!) == [.read, .write])
    }

    @Test func descriptionUsesZkCliOrder() {
        #expect(Permissions.all.description == "cdrwa")
        #expect(Permissions([.admin, .read]).description == "ra")
        #expect(Permissions([.write, .create]).description == "cw")
        #expect(Permissions([]).description == "")
        for raw in Int32(0)...31 {
            let permissions = Permissions(rawValue: raw)
            #expect(Permissions(letters: permissions.description) == permissions)
        }
    }
}

@Suite(.timeLimit(.minutes(3))) struct CreateModeTests {
    // CreateMode.toFlag() and its isSequential/isEphemeral/isContainer/isTTL in Java:
    // (raw, sequential, ephemeral, container, ttl, description)
    @Test(arguments: [
        (Int32(0), false, false, false, false, "persistent"),
        (1, false, true, false, false, "ephemeral"),
        (2, true, false, false, false, "persistent-sequential"),
        (3, true, true, false, false, "ephemeral-sequential"),
        (4, false, false, true, false, "container"),
        (5, false, false, false, true, "persistent-ttl"),
        (6, true, false, false, true, "persistent-sequential-ttl"),
        (7, false, false, false, false, "CreateMode(7)"),
        (-1, false, false, false, false, "CreateMode(-1)"),
    ])
    func predicates(raw: Int32, sequential: Bool, ephemeral: Bool, container: Bool, ttl: Bool, description: String) {
        let mode = CreateMode(rawValue: raw)
        #expect(mode.isSequential == sequential)
        #expect(mode.isEphemeral == ephemeral)
        #expect(mode.isContainer == container)
        #expect(mode.isTTL == ttl)
        #expect(mode.description == description)
    }

    @Test func namedModes() {
        let modes: [CreateMode] = [
            .persistent, .ephemeral, .persistentSequential, .ephemeralSequential, .container, .persistentWithTTL,
            .persistentSequentialWithTTL,
        ]
        #expect(modes.map(\.rawValue) == [0, 1, 2, 3, 4, 5, 6])
    }
}
