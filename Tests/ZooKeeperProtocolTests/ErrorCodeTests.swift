import Testing
import ZooKeeperProtocol

// Codes checked against Apache ZooKeeper 3.8.0's KeeperException.Code by reflection.
@Suite(.timeLimit(.minutes(3))) struct ErrorCodeTests {
    // Every code of KeeperException.Code, with the names this package gives them.
    @Test(arguments: [
        (Int32(0), "OK"), (-1, "SystemError"), (-2, "RuntimeInconsistency"), (-3, "DataInconsistency"),
        (-4, "ConnectionLoss"), (-5, "MarshallingError"), (-6, "Unimplemented"), (-7, "OperationTimeout"),
        (-8, "BadArguments"), (-12, "UnknownSession"), (-13, "NewConfigNoQuorum"), (-14, "ReconfigInProgress"),
        (-100, "APIError"), (-101, "NoNode"), (-102, "NoAuth"), (-103, "BadVersion"),
        (-108, "NoChildrenForEphemerals"), (-110, "NodeExists"), (-111, "NotEmpty"), (-112, "SessionExpired"),
        (-113, "InvalidCallback"), (-114, "InvalidACL"), (-115, "AuthFailed"), (-118, "SessionMoved"),
        (-119, "NotReadOnly"), (-120, "EphemeralOnLocalSession"), (-121, "NoWatcher"), (-122, "RequestTimeout"),
        (-123, "ReconfigDisabled"), (-124, "SessionClosedRequireSaslAuth"), (-125, "QuotaExceeded"),
        (-127, "ThrottledOp"),
    ])
    func serverCodeNames(code: Int32, name: String) {
        #expect(ErrorCode(code).name == name)
        #expect(ErrorCode(code).description == name)
        #expect(ErrorCode(rawValue: code) == ErrorCode(code))
        #expect(!ErrorCode(code).message.isEmpty)
    }

    @Test func constantsHaveTheProtocolValues() {
        #expect(ErrorCode.ok.rawValue == 0)
        #expect(ErrorCode.badArguments.rawValue == -8)
        #expect(ErrorCode.noNode.rawValue == -101)
        #expect(ErrorCode.nodeExists.rawValue == -110)
        #expect(ErrorCode.notEmpty.rawValue == -111)
        #expect(ErrorCode.sessionExpired.rawValue == -112)
        #expect(ErrorCode.authFailed.rawValue == -115)
        #expect(ErrorCode.noWatcher.rawValue == -121)
        #expect(ErrorCode.reconfigDisabled.rawValue == -123)
        #expect(ErrorCode.throttledOp.rawValue == -127)
    }

    @Test func messages() {
        #expect(ErrorCode.noNode.message == "node does not exist")
        #expect(ErrorCode.nodeExists.message == "node already exists")
        #expect(ErrorCode.badVersion.message == "bad version")
        #expect(ErrorCode.ok.message == "ok")
    }

    @Test func clientSideCodes() {
        #expect(ErrorCode.clientClosed.rawValue == -1000)
        #expect(ErrorCode.connectFailed.rawValue == -1001)
        #expect(ErrorCode.clientClosed.name == "ClientClosed")
    }

    @Test func unknownCodes() {
        #expect(ErrorCode(-999).name == "Error(-999)")
        #expect(ErrorCode(-999).message == "error -999")
        #expect(ErrorCode(5).description == "Error(5)")
    }
}
