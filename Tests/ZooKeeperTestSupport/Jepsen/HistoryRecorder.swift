import Foundation

/// Records a concurrent history as it happens: every operation's invocation and completion get
/// a position in one total order, taken under a lock, so an operation that completed before
/// another was invoked comes first. Operations are grouped by key (one register each), which the
/// checker verifies separately: linearizability is compositional.
public final class HistoryRecorder<Model: SequentialModel>: @unchecked Sendable {
    public typealias Operation = HistoryOperation<Model.Input, Model.Output>

    /// One recorded operation and the key it addressed.
    public struct Entry: Codable, Sendable, Equatable {
        public var key: String
        public var operation: Operation
    }

    private let lock = NSLock()
    private var clock = 0
    private var entries: [Entry] = []

    public init() {}

    /// Records the call of an operation; returns the ticket to complete it with.
    public func invoke(process: Int, key: String, _ input: Model.Input) -> Int {
        lock.withLock {
            clock += 1
            entries.append(
                Entry(
                    key: key,
                    operation: Operation(process: process, input: input, output: nil, invoked: clock, completed: nil)))
            return entries.count - 1
        }
    }

    /// Records the result of a call; nil for an unknown outcome (the operation stays open).
    public func complete(_ ticket: Int, _ output: Model.Output?) {
        guard let output else { return }
        lock.withLock {
            clock += 1
            entries[ticket].operation.output = output
            entries[ticket].operation.completed = clock
        }
    }

    /// Every recorded operation.
    public var all: [Entry] { lock.withLock { entries } }

    /// The operations on each key.
    public static func byKey(_ entries: [Entry]) -> [String: [Operation]] {
        Dictionary(grouping: entries, by: \.key).mapValues { $0.map(\.operation) }
    }

    /// Checks every key's operations (pruned by `model`); returns the keys whose history is not
    /// linearizable (or undecided), with the result.
    public static func check(_ entries: [Entry], model: Model) -> [String: LinearizabilityResult] {
        byKey(entries).compactMapValues { operations in
            let result = LinearizabilityChecker.check(model.pruned(operations), model: model)
            return result.isLinearizable ? nil : result
        }
    }

    /// Writes the history as JSON, to be checked again later with `load`.
    public func save(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(all).write(to: url)
    }

    /// A history written by `save`.
    public static func load(from url: URL) throws -> [Entry] {
        try JSONDecoder().decode([Entry].self, from: Data(contentsOf: url))
    }
}
