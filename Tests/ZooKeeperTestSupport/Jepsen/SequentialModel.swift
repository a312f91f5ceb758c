/// The sequential specification of an object, for the linearizability checker: its initial
/// state and what each operation does to a state.
///
/// `step` is given the operation's observed output, or nil when the outcome is unknown (the
/// client lost the connection before the reply): then the operation may or may not have taken
/// effect, and `step` returns the state it leaves when it did (the checker covers "did not" by
/// linearizing it last, where nothing observes it).
public protocol SequentialModel: Sendable {
    associatedtype State: Hashable & Sendable
    associatedtype Input: Codable & Sendable & Equatable
    associatedtype Output: Codable & Sendable & Equatable

    var initial: State { get }

    /// The state after applying `input` to `state` when the operation returned `output`, or nil
    /// when no such step exists (the output contradicts the state).
    func step(_ state: State, _ input: Input, _ output: Output?) -> State?

    /// See the default implementation.
    func pruned(_ history: [HistoryOperation<Input, Output>]) -> [HistoryOperation<Input, Output>]
}

extension SequentialModel {
    /// The history with the operations the model knows cannot matter left out: by default, none.
    /// A model overrides it to drop unknown outcomes that certainly had no effect, each of which
    /// would otherwise double the configurations the checker explores.
    public func pruned(
        _ history: [HistoryOperation<Input, Output>]
    ) -> [HistoryOperation<Input, Output>] { history }
}
