/// A znode used as a register, as the Jepsen workload drives it: `setData` with an expected
/// version (compare-and-set on the version, or unconditional) and `sync` + `getData` reads. The
/// state is the node's version and the value (an integer) it holds.
public struct ZnodeRegister: SequentialModel {
    public struct State: Hashable, Sendable, Codable {
        public var version: Int32
        public var value: Int
        public init(version: Int32, value: Int) {
            self.version = version
            self.value = value
        }
    }

    public enum Input: Codable, Sendable, Equatable {
        /// `sync` then `getData`: linearizable in ZooKeeper.
        case read
        /// `setData(value, version: expected)`; nil: any version (-1).
        case write(value: Int, expected: Int32?)
    }

    public enum Output: Codable, Sendable, Equatable {
        case read(State)
        /// The write was applied and left this version.
        case written(version: Int32)
        /// `badVersion`: the node's version was not the expected one, nothing changed.
        case badVersion
    }

    public let initial: State

    public init(initial: State = State(version: 0, value: 0)) { self.initial = initial }

    public func step(_ state: State, _ input: Input, _ output: Output?) -> State? {
        switch (input, output) {
        case (.read, .read(let seen)?): return seen == state ? state : nil
        case (.read, nil): return state
        case (.write(let value, let expected), _):
            let matches = expected.map { $0 == state.version } ?? true
            let applied = State(version: state.version + 1, value: value)
            switch output {
            case .written(let version)?: return matches && version == applied.version ? applied : nil
            case .badVersion?: return matches ? nil : state
            case nil: return matches ? applied : state
            case .read?: return nil
            }
        case (.read, _): return nil
        }
    }

    /// Leaves out unknown reads (they observed nothing) and unknown writes that cannot have been
    /// applied: every version is made by one write only, so once a write is known to have made
    /// version v + 1 (its reply said so, or a read saw its value there) no other write expecting
    /// version v took effect. Writes carry unique values.
    public func pruned(_ history: [HistoryOperation<Input, Output>]) -> [HistoryOperation<Input, Output>] {
        var maker: [Int32: Int] = [:]  // version -> value of the write that made it
        for operation in history {
            switch (operation.input, operation.output) {
            case (.write(let value, _), .written(let version)?): maker[version] = value
            case (.read, .read(let seen)?): maker[seen.version] = seen.value
            default: break
            }
        }
        return history.filter { operation in
            guard operation.output == nil else { return true }
            switch operation.input {
            case .read: return false
            case .write(let value, let expected?):
                return maker[expected + 1].map { $0 == value } ?? true
            case .write(_, nil): return true
            }
        }
    }
}
