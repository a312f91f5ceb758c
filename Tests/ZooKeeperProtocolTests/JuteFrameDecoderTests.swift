import NIOCore
import NIOTestUtils
import Testing
import ZooKeeperProtocol

@Suite(.timeLimit(.minutes(3))) struct JuteFrameDecoderTests {
    static func frame(_ body: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(Int32(body.count))
        buffer.writeBytes(body)
        return buffer
    }

    @Test func verifierFragmentation() throws {
        // Drip-fed byte by byte, whole, and many frames in one buffer; includes an empty frame.
        let bodies: [[UInt8]] = [
            [], [0x01], Array("hello".utf8), hex(Fixtures.statAHex), Array(repeating: 0xab, count: 1000),
        ]
        let pairs = bodies.map { (Self.frame($0), [ByteBuffer(bytes: $0)]) }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { JuteFrameDecoder() }
    }

    @Test func verifierWithSeveralFramesPerInput() throws {
        var two = Self.frame([1, 2, 3])
        var second = Self.frame([4])
        two.writeBuffer(&second)
        let pairs = [(two, [ByteBuffer(bytes: [1, 2, 3]), ByteBuffer(bytes: [4])])]
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { JuteFrameDecoder(maxFrameLength: 16) }
    }

    /// Feeds `input` to a decoder through NIO's single-step processor; returns the frames and the
    /// error thrown, if any.
    static func run(
        _ input: [[UInt8]], maxFrameLength: Int = defaultMaxFrameLength
    ) -> (frames: [[UInt8]], error: (any Error)?) {
        let processor = NIOSingleStepByteToMessageProcessor(JuteFrameDecoder(maxFrameLength: maxFrameLength))
        var frames: [[UInt8]] = []
        do {
            for chunk in input {
                try processor.process(buffer: ByteBuffer(bytes: chunk)) { frames.append(bytes(of: $0)) }
            }
        } catch {
            return (frames, error)
        }
        return (frames, nil)
    }

    @Test func lengthAboveTheLimitThrowsBeforeTheBody() throws {
        // Only the 4-byte length has arrived: the error must come now, not after buffering the body.
        let result = Self.run([hex("00 00 01 01")], maxFrameLength: 256)
        #expect(result.frames.isEmpty)
        let error = try #require(result.error as? JuteError)
        #expect(error.kind == .frameTooLarge)
    }

    @Test func defaultLimitIsJuteMaxBuffer() throws {
        #expect(defaultMaxFrameLength == 1_048_575)
        #expect(JuteFrameDecoder().maxFrameLength == 0xfffff)
        // 0x00100000 = limit + 1
        let over = try #require(Self.run([hex("00 10 00 00")]).error as? JuteError)
        #expect(over.kind == .frameTooLarge)
        // exactly the limit is accepted (it waits for the body)
        let atLimit = Self.run([hex("00 0f ff ff 00 00")])
        #expect(atLimit.error == nil)
        #expect(atLimit.frames.isEmpty)
    }

    @Test(arguments: [hex("ff ff ff ff"), hex("80 00 00 00"), hex("ff ff ff fe 00")])
    func negativeLengthThrows(input: [UInt8]) throws {
        let error = try #require(Self.run([input]).error as? JuteError)
        #expect(error.kind == .frameTooLarge)
    }

    @Test func fourLetterWordsAreTooLargeFrames() throws {
        // "ruok" read as a length is 0x72756f6b, far above the limit.
        let error = try #require(Self.run([Array("ruok".utf8)]).error as? JuteError)
        #expect(error.kind == .frameTooLarge)
    }

    @Test func partialLengthWaits() {
        let result = Self.run([[0x00], [0x00, 0x00]])
        #expect(result.error == nil)
        #expect(result.frames.isEmpty)
    }

    @Test func framesSplitAcrossChunks() {
        let result = Self.run([[0, 0, 0], [2, 0xaa], [0xbb, 0, 0, 0, 0, 0, 0], [0, 1, 0xcc]])
        #expect(result.error == nil)
        #expect(result.frames == [[0xaa, 0xbb], [], [0xcc]])
    }

    @Test func decodeLastReturnsCompleteFramesOnly() throws {
        var decoder = JuteFrameDecoder()
        var buffer = ByteBuffer(bytes: hex("00 00 00 01 07 00 00 00 05 01"))
        #expect(try decoder.decodeLast(buffer: &buffer, seenEOF: true).map(bytes(of:)) == [7])
        #expect(try decoder.decodeLast(buffer: &buffer, seenEOF: true) == nil)
        #expect(buffer.readableBytes == 5)
    }
}
