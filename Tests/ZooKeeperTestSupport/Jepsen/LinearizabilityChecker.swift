/// The outcome of a linearizability check.
public enum LinearizabilityResult: Equatable, Sendable {
    /// Linearizable; `order` is one valid order of the operations (indices into the history).
    case linearizable(order: [Int])
    /// No order exists. `longestPrefix` is the longest sequence of operations the search managed
    /// to linearize, and `blocked` an operation that had returned by then but could not follow it.
    case notLinearizable(longestPrefix: [Int], blocked: Int)
    /// The search visited `explored` configurations, its limit, without an answer.
    case undecided(explored: Int)

    public var isLinearizable: Bool {
        if case .linearizable = self { return true }
        return false
    }
}

/// Wing & Gong's linearizability check with Lowe's improvements (the algorithm Knossos' `wgl` and
/// Porcupine implement): walk the history's events in time order, linearize the first operation
/// whose call comes before every pending return, backtrack on a return that nothing linearized;
/// remember every (set of linearized operations, state) configuration seen, so none is explored
/// twice. Pure: no I/O, no clock.
///
/// Operations with an unknown outcome return at infinity: they may be linearized anywhere after
/// their call, and linearizing one last, where nothing observes it, is the same as it never having
/// taken effect.
public enum LinearizabilityChecker {
    /// Checks `history` against `model`, exploring at most `limit` configurations. Indices in the
    /// result refer to `history` as given to `check`: prune it first (`SequentialModel.pruned`).
    public static func check<Model: SequentialModel>(
        _ history: [HistoryOperation<Model.Input, Model.Output>], model: Model, limit: Int = 5_000_000
    ) -> LinearizabilityResult {
        var events = EventList(history)
        var state = model.initial
        var linearized = OperationSet(count: history.count)
        var stack: [(operation: Int, state: Model.State)] = []
        var seen: Set<Configuration<Model.State>> = []
        var longest: [Int] = []
        var blocked = 0
        var entry = events.first
        while let current = entry {
            let operation = events.operation(current)
            if events.isCall(current) {
                var after = linearized
                after.insert(operation)
                if let next = model.step(state, history[operation].input, history[operation].output),
                    seen.insert(Configuration(linearized: after, state: next)).inserted
                {
                    if seen.count > limit { return .undecided(explored: seen.count) }
                    stack.append((operation, state))
                    state = next
                    linearized = after
                    events.lift(operation)
                    entry = events.first
                } else {
                    entry = events.next(current)
                }
            } else {
                // A return with its call still in the list: nothing so far can be extended.
                if stack.count >= longest.count {
                    longest = stack.map(\.operation)
                    blocked = operation
                }
                guard let undone = stack.popLast() else {
                    return .notLinearizable(longestPrefix: longest, blocked: blocked)
                }
                events.unlift(undone.operation)
                linearized.remove(undone.operation)
                state = undone.state
                entry = events.next(events.callNode(of: undone.operation))
            }
        }
        return .linearizable(order: stack.map(\.operation))
    }
}

/// A search configuration: which operations are linearized, and the state they leave.
private struct Configuration<State: Hashable>: Hashable {
    var linearized: OperationSet
    var state: State
}

/// A set of operation indices as a bit set.
private struct OperationSet: Hashable {
    private var words: [UInt64]

    init(count: Int) { words = Array(repeating: 0, count: (count + 63) / 64) }

    mutating func insert(_ index: Int) { words[index / 64] |= 1 << UInt64(index % 64) }
    mutating func remove(_ index: Int) { words[index / 64] &= ~(1 << UInt64(index % 64)) }
}

/// The calls and returns of a history in time order, as a doubly linked list that operations are
/// lifted out of (both their events) and put back in the reverse order (dancing links).
private struct EventList {
    /// Node 0 is the head sentinel; node 2i + 1 is operation i's call, node 2i + 2 its return.
    private var previous: [Int]
    private var following: [Int]

    init<Input, Output>(_ history: [HistoryOperation<Input, Output>]) {
        // An unknown outcome returns after everything else, in invocation order.
        let times = history.enumerated().flatMap { index, operation in
            [
                (node: 2 * index + 1, time: operation.invoked, late: operation.invoked),
                (node: 2 * index + 2, time: operation.completed ?? .max, late: operation.invoked),
            ]
        }
        let order = [0] + times.sorted { ($0.time, $0.late) < ($1.time, $1.late) }.map(\.node)
        previous = Array(repeating: -1, count: order.count)
        following = Array(repeating: -1, count: order.count)
        for (position, node) in order.enumerated() {
            if position > 0 { previous[node] = order[position - 1] }
            if position + 1 < order.count { following[node] = order[position + 1] }
        }
    }

    var first: Int? { following[0] < 0 ? nil : following[0] }
    func next(_ node: Int) -> Int? { following[node] < 0 ? nil : following[node] }
    func isCall(_ node: Int) -> Bool { node % 2 == 1 }
    func operation(_ node: Int) -> Int { (node - 1) / 2 }
    func callNode(of operation: Int) -> Int { 2 * operation + 1 }

    mutating func lift(_ operation: Int) {
        unlink(2 * operation + 1)
        unlink(2 * operation + 2)
    }

    mutating func unlift(_ operation: Int) {
        relink(2 * operation + 2)
        relink(2 * operation + 1)
    }

    private mutating func unlink(_ node: Int) {
        following[previous[node]] = following[node]
        if following[node] >= 0 { previous[following[node]] = previous[node] }
    }

    private mutating func relink(_ node: Int) {
        following[previous[node]] = node
        if following[node] >= 0 { previous[following[node]] = node }
    }
}
