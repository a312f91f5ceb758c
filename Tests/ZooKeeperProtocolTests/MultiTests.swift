import NIOCore
import Testing
import ZooKeeperProtocol

@Suite(.timeLimit(.minutes(3))) struct MultiTests {
    @Test func transactionMatchesJavaMultiOperationRecord() {
        // Java: new MultiOperationRecord(List.of(
        //   Op.create("/m/a", "x", open, PERSISTENT), Op.create("/m/c", null, open, CONTAINER),
        //   Op.create("/m/t", new byte[0], open, PERSISTENT_WITH_TTL, 1000L), Op.delete("/m/d", -1),
        //   Op.setData("/m/s", "y", 4), Op.check("/m", 2)))
        let request = MultiRequest(operations: [
            .create(CreateRequest(path: "/m/a", data: Array("x".utf8), acl: Fixtures.openACL, mode: .persistent)),
            .createContainer(CreateContainerRequest(path: "/m/c", data: nil, acl: Fixtures.openACL, mode: .container)),
            .createTTL(
                CreateTTLRequest(path: "/m/t", data: [], acl: Fixtures.openACL, mode: .persistentWithTTL, ttl: 1000)),
            .delete(DeleteRequest(path: "/m/d", version: -1)),
            .setData(SetDataRequest(path: "/m/s", data: Array("y".utf8), version: 4)),
            .check(CheckVersionRequest(path: "/m", version: 2)),
        ])
        let acl = Fixtures.openACLHex
        expectGolden(
            request,
            "00 00 00 01 00 ff ff ff ff  00 00 00 04 2f 6d 2f 61 00 00 00 01 78 " + acl + " 00 00 00 00"
                + " 00 00 00 13 00 ff ff ff ff  00 00 00 04 2f 6d 2f 63 ff ff ff ff " + acl + " 00 00 00 04"
                + " 00 00 00 15 00 ff ff ff ff  00 00 00 04 2f 6d 2f 74 00 00 00 00 " + acl
                + " 00 00 00 05 00 00 00 00 00 00 03 e8"
                + " 00 00 00 02 00 ff ff ff ff  00 00 00 04 2f 6d 2f 64 ff ff ff ff"
                + " 00 00 00 05 00 ff ff ff ff  00 00 00 04 2f 6d 2f 73 00 00 00 01 79 00 00 00 04"
                + " 00 00 00 0d 00 ff ff ff ff  00 00 00 02 2f 6d 00 00 00 02"
                + " ff ff ff ff 01 ff ff ff ff")
        #expect(MultiRequest.opCode.rawValue == 14)
    }

    @Test func transactionMatchesKazoo() {
        // kazoo: Transaction([Create("/m/a", b"x", open, 0), Create2("/m/b", b"", open, 2),
        //   Delete("/m/d", -1), SetData("/m/s", b"y", 4), CheckVersion("/m", 2)]).serialize()
        let request = MultiRequest(operations: [
            .create(CreateRequest(path: "/m/a", data: Array("x".utf8), acl: Fixtures.openACL, mode: .persistent)),
            .create2(Create2Request(path: "/m/b", data: [], acl: Fixtures.openACL, mode: .persistentSequential)),
            .delete(DeleteRequest(path: "/m/d")),
            .setData(SetDataRequest(path: "/m/s", data: Array("y".utf8), version: 4)),
            .check(CheckVersionRequest(path: "/m", version: 2)),
        ])
        expectGolden(
            request,
            """
            00 00 00 01 00 ff ff ff ff 00 00 00 04 2f 6d 2f 61 00 00 00 01 78 00 00 00 01 00 00 00 1f 00 00 00 05
            77 6f 72 6c 64 00 00 00 06 61 6e 79 6f 6e 65 00 00 00 00 00 00 00 0f 00 ff ff ff ff 00 00 00 04 2f 6d
            2f 62 00 00 00 00 00 00 00 01 00 00 00 1f 00 00 00 05 77 6f 72 6c 64 00 00 00 06 61 6e 79 6f 6e 65 00
            00 00 02 00 00 00 02 00 ff ff ff ff 00 00 00 04 2f 6d 2f 64 ff ff ff ff 00 00 00 05 00 ff ff ff ff 00
            00 00 04 2f 6d 2f 73 00 00 00 01 79 00 00 00 04 00 00 00 0d 00 ff ff ff ff 00 00 00 02 2f 6d 00 00 00
            02 ff ff ff ff 01 ff ff ff ff
            """)
    }

    @Test func emptyMultiIsJustTheTerminator() {
        // kazoo: Transaction([]); Java: new MultiOperationRecord(List.of()); new MultiResponse()
        expectGolden(MultiRequest(operations: []), "ff ff ff ff 01 ff ff ff ff")
        expectGolden(MultiReadRequest(operations: []), "ff ff ff ff 01 ff ff ff ff")
        expectGolden(MultiResponse(results: []), "ff ff ff ff 01 ff ff ff ff")
    }

    @Test func multiRead() {
        // Java: new MultiOperationRecord(List.of(Op.getChildren("/m"), Op.getData("/m/a")))
        let request = MultiReadRequest(operations: [
            .getChildren(GetChildrenRequest(path: "/m")), .getData(GetDataRequest(path: "/m/a")),
        ])
        expectGolden(
            request,
            """
            00 00 00 08 00 ff ff ff ff 00 00 00 02 2f 6d 00
            00 00 00 04 00 ff ff ff ff 00 00 00 04 2f 6d 2f 61 00
            ff ff ff ff 01 ff ff ff ff
            """)
        #expect(MultiReadRequest.opCode.rawValue == 22)
        #expect(request.operations.map(\.isRead) == [true, true])
    }

    @Test func successfulTransactionResponse() {
        // Java: MultiResponse with CreateResult("/m/a"), CreateResult("/m/c", statB), DeleteResult(),
        // SetDataResult(statB), CheckResult(). Successful results carry err 0 in their header.
        let response = MultiResponse(results: [
            .create(path: "/m/a"), .create2(path: "/m/c", stat: Fixtures.statB), .delete,
            .setData(stat: Fixtures.statB), .check,
        ])
        expectGolden(
            response,
            "00 00 00 01 00 00 00 00 00  00 00 00 04 2f 6d 2f 61"
                + " 00 00 00 0f 00 00 00 00 00  00 00 00 04 2f 6d 2f 63 " + Fixtures.statBHex
                + " 00 00 00 02 00 00 00 00 00"
                + " 00 00 00 05 00 00 00 00 00 " + Fixtures.statBHex
                + " 00 00 00 0d 00 00 00 00 00"
                + " ff ff ff ff 01 ff ff ff ff")
    }

    @Test func failedTransactionResponse() {
        // Java: MultiResponse with ErrorResult(0), ErrorResult(-101), ErrorResult(-2): the header's err
        // and the ErrorResponse body both carry the code.
        let response = MultiResponse(results: [.error(.ok), .error(.noNode), .error(.runtimeInconsistency)])
        expectGolden(
            response,
            """
            ff ff ff ff 00 00 00 00 00 00 00 00 00
            ff ff ff ff 00 ff ff ff 9b ff ff ff 9b
            ff ff ff ff 00 ff ff ff fe ff ff ff fe
            ff ff ff ff 01 ff ff ff ff
            """)
        #expect(response.results.map(\.error) == [.ok, .noNode, .runtimeInconsistency])
        #expect(MultiResult.delete.error == nil)
    }

    @Test func multiReadResponse() {
        // Java: MultiResponse with GetChildrenResult(["a", "b"]), GetDataResult("x", statB),
        // GetDataResult(null, statB), ErrorResult(-101)
        let response = MultiResponse(results: [
            .getChildren(children: ["a", "b"]), .getData(data: Array("x".utf8), stat: Fixtures.statB),
            .getData(data: nil, stat: Fixtures.statB), .error(.noNode),
        ])
        expectGolden(
            response,
            "00 00 00 08 00 00 00 00 00  00 00 00 02 00 00 00 01 61 00 00 00 01 62"
                + " 00 00 00 04 00 00 00 00 00  00 00 00 01 78 " + Fixtures.statBHex
                + " 00 00 00 04 00 00 00 00 00  ff ff ff ff " + Fixtures.statBHex
                + " ff ff ff ff 00 ff ff ff 9b ff ff ff 9b"
                + " ff ff ff ff 01 ff ff ff ff")
    }

    @Test(arguments: [Int32(19), 21])
    func containerAndTTLResultTypesDecodeAsCreate2(type: Int32) throws {
        var buffer = ByteBuffer()
        MultiHeader(type: type, done: false, error: 0).encode(into: &buffer)
        buffer.writeJuteString("/m/c")
        Fixtures.statB.encode(into: &buffer)
        MultiHeader.terminator.encode(into: &buffer)
        let response = try MultiResponse(decodingAll: buffer)
        #expect(response.results == [.create2(path: "/m/c", stat: Fixtures.statB)])
    }

    @Test func unknownResultTypeIsInvalid() {
        // type 3 (exists) has no multi result
        let bytes = hex("00 00 00 03 00 00 00 00 00 ff ff ff ff 01 ff ff ff ff")
        #expect(juteErrorKind { _ = try decode(MultiResponse.self, bytes) } == .invalidValue)
    }

    @Test(arguments: [Int32(3), 6, 9, 14, 100, -1])
    func unknownOperationTypeIsInvalid(type: Int32) {
        var buffer = ByteBuffer()
        MultiHeader(type: type, done: false, error: -1).encode(into: &buffer)
        buffer.writeJuteString("/m")
        buffer.writeJuteBool(false)
        MultiHeader.terminator.encode(into: &buffer)
        #expect(juteErrorKind { _ = try MultiRequest(decodingAll: buffer) } == .invalidValue)
        #expect(juteErrorKind { _ = try MultiReadRequest(decodingAll: buffer) } == .invalidValue)
    }

    @Test func missingTerminatorIsTruncated() {
        let bytes = encoded(MultiRequest(operations: [.delete(DeleteRequest(path: "/m"))]))
        #expect(juteErrorKind { _ = try decode(MultiRequest.self, Array(bytes.dropLast(9))) } == .truncated)
    }

    @Test func operationAccessors() {
        var operation = MultiOperation.setData(SetDataRequest(path: "/a", data: nil))
        #expect(operation.opCode == .setData)
        #expect(operation.path == "/a")
        #expect(!operation.isRead)
        operation.path = "/root/a"
        #expect(operation == .setData(SetDataRequest(path: "/root/a", data: nil)))

        let all: [MultiOperation] = [
            .create(CreateRequest(path: "/p", data: nil, acl: [], mode: .persistent)),
            .create2(Create2Request(path: "/p", data: nil, acl: [], mode: .persistent)),
            .createContainer(CreateContainerRequest(path: "/p", data: nil, acl: [], mode: .container)),
            .createTTL(CreateTTLRequest(path: "/p", data: nil, acl: [], mode: .persistentWithTTL, ttl: 1)),
            .delete(DeleteRequest(path: "/p")), .setData(SetDataRequest(path: "/p", data: nil)),
            .check(CheckVersionRequest(path: "/p", version: 1)), .getChildren(GetChildrenRequest(path: "/p")),
            .getData(GetDataRequest(path: "/p")),
        ]
        #expect(all.map(\.opCode.rawValue) == [1, 15, 19, 21, 2, 5, 13, 8, 4])
        #expect(all.map(\.isRead) == [false, false, false, false, false, false, false, true, true])
        for var operation in all {
            #expect(operation.path == "/p")
            operation.path = "/q"
            #expect(operation.path == "/q")
        }
    }
}
