/// One operation of a concurrent history: what a process asked, what it got back, and when.
///
/// Times are positions in one total order of events (invocations and completions), as a history
/// recorder hands them out; a nil `completed` means the outcome is unknown (connection lost): the
/// operation may take effect at any time after its invocation, or never.
public struct HistoryOperation<Input: Codable & Sendable & Equatable, Output: Codable & Sendable & Equatable>:
    Codable, Sendable, Equatable
{
    /// The client (session, thread) that made the call; a process makes one call at a time.
    public var process: Int
    public var input: Input
    /// The observed output; nil for an unknown outcome.
    public var output: Output?
    public var invoked: Int
    public var completed: Int?

    public init(process: Int, input: Input, output: Output?, invoked: Int, completed: Int?) {
        self.process = process
        self.input = input
        self.output = output
        self.invoked = invoked
        self.completed = completed
    }
}
