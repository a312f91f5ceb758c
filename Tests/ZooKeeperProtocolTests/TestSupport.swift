import NIOCore
import Testing
import ZooKeeperProtocol

// Helpers shared by the codec tests.
//
// Golden vectors in these tests come from encoders that are independent of this package:
// - "kazoo": kazoo 2.11.0's `kazoo.protocol.serialization` (Python), `serialize()` of its request
//   tuples (Create, Create2, Delete, Exists, GetData, SetData, GetACL, SetACL, GetChildren,
//   GetChildren2, Sync, CheckVersion, Transaction, Reconfig, Auth, SASL, Connect, Ping, Close).
// - "Java jute": Apache ZooKeeper 3.8.0's generated jute classes (Debian's zookeeper-jute.jar and
//   zookeeper.jar: org.apache.zookeeper.proto.*, data.*, MultiOperationRecord, MultiResponse)
//   serialized with `BinaryOutputArchive`. Used for every response and for the records kazoo
//   lacks (CreateTTL, SetWatches, SetWatches2, AddWatch, Check/RemoveWatches, WhoAmI,
//   GetAllChildrenNumber, GetEphemerals, multiRead, ...).
// Where both encoders have a record, their bytes were compared and are identical.

/// Bytes from a hex string such as "00 00 00 01 ff"; whitespace and newlines are ignored.
func hex(_ string: String) -> [UInt8] {
    let digits = string.filter { !$0.isWhitespace }
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    var bytes: [UInt8] = []
    bytes.reserveCapacity(digits.count / 2)
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

/// A buffer holding `bytes`.
func buffer(_ bytes: [UInt8]) -> ByteBuffer {
    ByteBuffer(bytes: bytes)
}

/// The readable bytes of `buffer`.
func bytes(of buffer: ByteBuffer) -> [UInt8] {
    Array(buffer.readableBytesView)
}

/// The Jute encoding of `record` as an array.
func encoded(_ record: some JuteEncodable) -> [UInt8] {
    bytes(of: record.juteEncoded())
}

/// Checks that `record` encodes to exactly `expected` and that `expected` decodes back to `record`.
func expectGolden<Record: JuteRecord & Equatable>(
    _ record: Record, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    let expectedBytes = hex(expected)
    #expect(encoded(record) == expectedBytes, "encoding", sourceLocation: sourceLocation)
    do {
        let decoded = try Record(decodingAll: buffer(expectedBytes))
        #expect(decoded == record, "decoding", sourceLocation: sourceLocation)
    } catch {
        Issue.record("decoding threw \(error)", sourceLocation: sourceLocation)
    }
}

/// Decodes a `Record` that must fill `bytes` exactly.
func decode<Record: JuteDecodable>(
    _ type: Record.Type, _ bytes: [UInt8]
) throws(JuteError) -> Record {
    try Record(decodingAll: buffer(bytes))
}

/// Runs `body` and returns the kind of `JuteError` it threw, or nil when it did not throw. Any
/// other error is recorded as a test failure.
func juteErrorKind(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> JuteError.Kind? {
    do {
        try body()
        return nil
    } catch let error as JuteError {
        return error.kind
    } catch {
        Issue.record("expected a JuteError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Stat fixtures, identical to the ones given to the Java jute encoder for the golden vectors.
enum Fixtures {
    /// `new Stat(0x100000002L, 0x100000007L, 1700000000123L, 1700000456789L, 3, -1, 1,
    /// 0x9b00000000000001L, 5, 2, 0x100000009L)`: negative cversion, high-bit session id.
    static let statA = Stat(
        czxid: 0x1_0000_0002, mzxid: 0x1_0000_0007, ctime: 1_700_000_000_123, mtime: 1_700_000_456_789,
        version: 3, cversion: -1, aversion: 1, ephemeralOwner: Int64(bitPattern: 0x9b00_0000_0000_0001),
        dataLength: 5, numChildren: 2, pzxid: 0x1_0000_0009)
    static let statAHex = """
        00 00 00 01 00 00 00 02 00 00 00 01 00 00 00 07 00 00 01 8b cf e5 68 7b 00 00 01 8b cf ec 60 55
        00 00 00 03 ff ff ff ff 00 00 00 01 9b 00 00 00 00 00 00 01 00 00 00 05 00 00 00 02
        00 00 00 01 00 00 00 09
        """

    /// `new Stat(2L, 2L, 1L, 1L, 0, 0, 0, 0L, 0, 0, 2L)`.
    static let statB = Stat(czxid: 2, mzxid: 2, ctime: 1, mtime: 1, pzxid: 2)
    static let statBHex = """
        00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 01
        00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        00 00 00 00 00 00 00 02
        """

    static let openACL = [ACL(permissions: .all, id: .anyone)]
    static let openACLHex = "00 00 00 01  00 00 00 1f 00 00 00 05 77 6f 72 6c 64 00 00 00 06 61 6e 79 6f 6e 65"

    /// `[ACL(17, digest:bob:kPb9eeKuyM9i3RFlXzYRrdUXX3M=), ACL(1, world:anyone)]`.
    static let twoACLs = [
        ACL(permissions: [.read, .admin], id: Id(scheme: "digest", id: "bob:kPb9eeKuyM9i3RFlXzYRrdUXX3M=")),
        ACL(permissions: .read, id: .anyone),
    ]
    static let twoACLsHex = """
        00 00 00 02
        00 00 00 11 00 00 00 06 64 69 67 65 73 74 00 00 00 20 62 6f 62 3a 6b 50 62 39 65 65 4b 75 79 4d
        39 69 33 52 46 6c 58 7a 59 52 72 64 55 58 58 33 4d 3d
        00 00 00 01 00 00 00 05 77 6f 72 6c 64 00 00 00 06 61 6e 79 6f 6e 65
        """
}
