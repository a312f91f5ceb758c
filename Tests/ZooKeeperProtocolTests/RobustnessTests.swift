import NIOCore
import Testing
import ZooKeeperProtocol

// Malformed input must end in a JuteError, never a trap or a huge allocation.
@Suite(.timeLimit(.minutes(3))) struct RobustnessTests {
    static let nonEmptySamples = RecordSamples.all.filter { !$0.encoding.isEmpty }

    @Test(arguments: nonEmptySamples)
    func everyTruncationThrows(sample: RecordSample) {
        for length in 0..<sample.encoding.count where !sample.completePrefixLengths.contains(length) {
            var buffer = ByteBuffer(bytes: sample.encoding[..<length])
            let kind = juteErrorKind { try sample.decodeFront(&buffer) }
            #expect(kind != nil, "prefix of \(length) bytes decoded")
        }
    }

    @Test(arguments: RecordSamples.all)
    func trailingBytesAreRejected(sample: RecordSample) {
        #expect(juteErrorKind { _ = try sample.decodeAllAndReencode(sample.encoding + [0, 0]) } == .trailingBytes)
    }

    @Test(arguments: [Int32(-2), -16, Int32.min])
    func negativeLengthsOtherThanMinusOneAreInvalid(length: Int32) {
        var lengthBytes = ByteBuffer()
        lengthBytes.writeJuteInt(length)
        let prefix = bytes(of: lengthBytes)
        let tail: [UInt8] = Array(repeating: 0x61, count: 32)
        // primitives
        var string = buffer(prefix + tail)
        #expect(juteErrorKind { _ = try string.readJuteString() } == .invalidLength)
        var nonNull = buffer(prefix + tail)
        #expect(juteErrorKind { _ = try nonNull.readJuteNonNullString() } == .invalidLength)
        var data = buffer(prefix + tail)
        #expect(juteErrorKind { _ = try data.readJuteBuffer() } == .invalidLength)
        var vector = buffer(prefix + tail)
        #expect(juteErrorKind { _ = try vector.readJuteStringVector() } == .invalidLength)
        var acls = buffer(prefix + tail)
        #expect(juteErrorKind { _ = try acls.readJuteACLs() } == .invalidLength)
        // records
        #expect(juteErrorKind { _ = try decode(SyncRequest.self, prefix) } == .invalidLength)
        #expect(
            juteErrorKind { _ = try decode(SetDataRequest.self, hex("00 00 00 01 2f") + prefix + tail) }
                == .invalidLength)
        #expect(juteErrorKind { _ = try decode(GetChildrenResponse.self, prefix + tail) } == .invalidLength)
        #expect(juteErrorKind { _ = try decode(WhoAmIResponse.self, prefix + tail) } == .invalidLength)
        #expect(
            juteErrorKind {
                _ = try decode(ConnectResponse.self, hex("00 00 00 00 00 00 0f a0 00 00 00 00 00 00 00 01") + prefix)
            } == .invalidLength)
    }

    @Test func vectorCountBeyondTheInputThrowsBeforeAllocating() {
        // Counts that would need gigabytes if reserved up front; only a few bytes follow.
        let huge = hex("7f ff ff ff")
        let few: [UInt8] = Array(repeating: 0, count: 16)
        #expect(juteErrorKind { _ = try decode(GetChildrenResponse.self, huge + few) } == .invalidLength)
        #expect(juteErrorKind { _ = try decode(GetEphemeralsResponse.self, huge + few) } == .invalidLength)
        #expect(juteErrorKind { _ = try decode(WhoAmIResponse.self, huge + few) } == .invalidLength)
        #expect(juteErrorKind { _ = try decode(GetACLResponse.self, huge + few) } == .invalidLength)
        #expect(
            juteErrorKind { _ = try decode(SetWatchesRequest.self, hex("00 00 00 00 00 00 00 01") + huge + few) }
                == .invalidLength)
        #expect(
            juteErrorKind { _ = try decode(SetACLRequest.self, hex("00 00 00 01 2f") + huge + few) } == .invalidLength)
    }

    @Test func vectorCountIsBoundedByTheSmallestElement() throws {
        // The smallest string is 4 bytes (an empty one), ACL 12 (perms and two empty strings),
        // ClientInfo 8. A count the bytes left can just back is read; one element more is refused.
        let three = hex("00 00 00 03")
        let two = hex("00 00 00 02")
        func zeros(_ count: Int) -> [UInt8] { [UInt8](repeating: 0, count: count) }

        #expect(try decode(GetChildrenResponse.self, three + zeros(12)).children == ["", "", ""])
        #expect(juteErrorKind { _ = try decode(GetChildrenResponse.self, three + zeros(11)) } == .invalidLength)

        var exactACLs = buffer(two + zeros(24))
        #expect(
            try exactACLs.readJuteACLs() == [
                ACL(permissions: [], id: Id(scheme: "", id: "")), ACL(permissions: [], id: Id(scheme: "", id: "")),
            ])
        var shortACLs = buffer(two + zeros(23))
        #expect(juteErrorKind { _ = try shortACLs.readJuteACLs() } == .invalidLength)

        #expect(try decode(WhoAmIResponse.self, two + zeros(16)).clientInfo.count == 2)
        #expect(juteErrorKind { _ = try decode(WhoAmIResponse.self, two + zeros(15)) } == .invalidLength)
    }

    @Test func stringAndBufferLengthsBeyondTheInputThrow() {
        // A length the input cannot back ends in an error without reading past the end (today the
        // kind is .truncated; JuteError.Kind.invalidLength's documentation also claims this case).
        let huge = hex("7f ff ff ff 61 62 63")
        #expect(juteErrorKind { _ = try decode(SyncRequest.self, huge) } != nil)
        #expect(juteErrorKind { _ = try decode(SASLRequest.self, huge) } != nil)
        #expect(juteErrorKind { _ = try decode(GetDataResponse.self, huge + hex(Fixtures.statBHex)) } != nil)
        #expect(juteErrorKind { _ = try decode(SyncRequest.self, hex("00 00 00 04 2f 61 62")) } != nil)
    }

    @Test func multiWithoutTerminatorOrWithBadHeadersThrows() {
        // A multi whose ops are cut off, or an unterminated run of valid-looking headers.
        let op = encoded(MultiHeader(type: 2, done: false, error: -1)) + encoded(DeleteRequest(path: "/a"))
        #expect(juteErrorKind { _ = try decode(MultiRequest.self, op + op) } == .truncated)
        #expect(
            juteErrorKind { _ = try decode(MultiResponse.self, encoded(MultiHeader(type: 2, done: false, error: 0))) }
                == .truncated)
    }

    /// Random input: fully random bytes and mutated valid encodings. Every decode either succeeds
    /// (and then re-encodes to an equal value) or throws a JuteError.
    @Test(arguments: RecordSamples.all)
    func randomInputNeverTraps(sample: RecordSample) throws {
        var random = SplitMix64(seed: 0x5eed_0000 ^ UInt64(sample.name.utf8.reduce(0) { $0 &* 31 &+ Int($1) } & 0xffff))
        let interesting: [UInt8] = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe]
        var successes = 0
        for iteration in 0..<3000 {
            var input: [UInt8]
            switch iteration % 3 {
            case 0:
                let count = Int.random(in: 0...96, using: &random)
                input = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
            case 1:
                input = sample.encoding
                for _ in 0...Int.random(in: 0...3, using: &random) where !input.isEmpty {
                    let index = Int.random(in: 0..<input.count, using: &random)
                    input[index] =
                        Bool.random(using: &random)
                        ? interesting.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
                }
            default:
                input = Array(sample.encoding.prefix(Int.random(in: 0...sample.encoding.count, using: &random)))
                let extra = Int.random(in: 0...8, using: &random)
                input += (0..<extra).map { _ in interesting.randomElement(using: &random)! }
            }
            do {
                let stable = try sample.decodeAllAndReencode(input)
                #expect(stable, "re-encoding changed the value for input \(input)")
                successes += 1
            } catch is JuteError {
                // expected for most inputs
            } catch {
                Issue.record("non-Jute error \(error) for input \(input)")
            }
        }
        if !sample.encoding.isEmpty {
            #expect(successes > 0, "no random input decoded, so the fuzzing reached nothing past the first field")
        }
    }
}
