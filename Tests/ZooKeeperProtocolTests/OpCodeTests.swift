import Testing
import ZooKeeperProtocol

// Values checked against Apache ZooKeeper 3.8.0's ZooDefs.OpCode by reflection.
@Suite(.timeLimit(.minutes(3))) struct OpCodeTests {
    @Test(arguments: [
        (Int32(0), "notification"), (1, "create"), (2, "delete"), (3, "exists"), (4, "getData"), (5, "setData"),
        (6, "getACL"), (7, "setACL"), (8, "getChildren"), (9, "sync"), (11, "ping"), (12, "getChildren2"),
        (13, "check"), (14, "multi"), (15, "create2"), (16, "reconfig"), (17, "checkWatches"),
        (18, "removeWatches"), (19, "createContainer"), (20, "deleteContainer"), (21, "createTTL"),
        (22, "multiRead"), (100, "auth"), (101, "setWatches"), (102, "sasl"), (103, "getEphemerals"),
        (104, "getAllChildrenNumber"), (105, "setWatches2"), (106, "addWatch"), (107, "whoAmI"),
        (-10, "createSession"), (-11, "closeSession"), (-1, "error"),
    ])
    func descriptions(raw: Int32, name: String) {
        #expect(OpCode(rawValue: raw).description == name)
    }

    @Test func unknownOpCode() {
        #expect(OpCode(rawValue: 10).description == "op(10)")
        #expect(OpCode(rawValue: 999).description == "op(999)")
    }

    @Test func namedConstantsMatchZooDefs() {
        let pairs: [(OpCode, Int32)] = [
            (.create, 1), (.delete, 2), (.exists, 3), (.getData, 4), (.setData, 5), (.getACL, 6), (.setACL, 7),
            (.getChildren, 8), (.sync, 9), (.ping, 11), (.getChildren2, 12), (.check, 13), (.multi, 14),
            (.create2, 15), (.reconfig, 16), (.checkWatches, 17), (.removeWatches, 18), (.createContainer, 19),
            (.deleteContainer, 20), (.createTTL, 21), (.multiRead, 22), (.auth, 100), (.setWatches, 101),
            (.sasl, 102), (.getEphemerals, 103), (.getAllChildrenNumber, 104), (.setWatches2, 105),
            (.addWatch, 106), (.whoAmI, 107), (.createSession, -10), (.closeSession, -11), (.error, -1),
        ]
        for (code, raw) in pairs {
            #expect(code.rawValue == raw, "\(code)")
        }
        #expect(GetDataRequest(path: "/").opCode == .getData)
    }

    @Test func specialXids() {
        #expect(SpecialXid.notification == -1)
        #expect(SpecialXid.ping == -2)
        #expect(SpecialXid.auth == -4)
        #expect(SpecialXid.setWatches == -8)
    }
}
