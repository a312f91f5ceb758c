import Testing
import ZooKeeperProtocol

@Suite(.timeLimit(.minutes(3))) struct JuteErrorTests {
    @Test func descriptionNamesKindAndDetail() {
        let error = JuteError(.frameTooLarge, "frame length 9")
        #expect(error.description == "frame too large: frame length 9")
        #expect(JuteError.Kind.truncated != JuteError.Kind.invalidLength)
        #expect(
            Set(
                [JuteError.Kind.truncated, .invalidLength, .frameTooLarge, .invalidValue, .trailingBytes].map(
                    \.description)
            )
            .count == 5)
    }
}
