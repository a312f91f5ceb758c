import Foundation
import Testing
import ZooKeeperTestSupport

/// Knossos' `cas-register`, the model of the Jepsen literature's register histories (and
/// Porcupine's examples): read, write, compare-and-set of integer values, initially 0.
private struct CASRegister: SequentialModel {
    enum Input: Codable, Sendable, Equatable {
        case read
        case write(Int)
        case compareAndSet(Int, Int)
    }
    enum Output: Codable, Sendable, Equatable {
        case value(Int)
        case ok
        case failed
    }

    var initial: Int { 0 }

    func step(_ state: Int, _ input: Input, _ output: Output?) -> Int? {
        switch (input, output) {
        case (.read, .value(let value)?): return value == state ? state : nil
        case (.read, nil): return state
        case (.write(let value), .ok?), (.write(let value), nil): return value
        case (.compareAndSet(let old, let new), .ok?): return old == state ? new : nil
        case (.compareAndSet(let old, _), .failed?): return old == state ? nil : state
        case (.compareAndSet(let old, let new), nil): return old == state ? new : state
        default: return nil
        }
    }
}

private typealias Op = HistoryOperation<CASRegister.Input, CASRegister.Output>

/// An operation from its call and return times; `output` nil with `returned` nil: unknown outcome.
private func op(
    _ process: Int, _ input: CASRegister.Input, _ output: CASRegister.Output?, _ called: Int, _ returned: Int?
) -> Op {
    Op(process: process, input: input, output: output, invoked: called, completed: returned)
}

/// Replays `order` through the model and checks it respects real time: the proof a
/// "linearizable" answer must come with.
private func isValidLinearization<Model: SequentialModel>(
    _ order: [Int], of history: [HistoryOperation<Model.Input, Model.Output>], model: Model
) -> Bool {
    guard Set(order).count == history.count else { return false }
    var state = model.initial
    for (position, index) in order.enumerated() {
        guard let next = model.step(state, history[index].input, history[index].output) else { return false }
        state = next
        // No later operation in the order may have returned before this one was called.
        for later in order[(position + 1)...] where (history[later].completed ?? .max) < history[index].invoked {
            return false
        }
    }
    return true
}

@Suite struct LinearizabilityCheckerTests {
    /// Porcupine's README: a write of 100 concurrent with a read of 100 and a read of 0.
    @Test func porcupinesLinearizableRegisterHistory() {
        let history = [
            op(0, .write(100), .ok, 0, 100),
            op(1, .read, .value(100), 25, 75),
            op(2, .read, .value(0), 30, 60),
        ]
        let result = LinearizabilityChecker.check(history, model: CASRegister())
        guard case .linearizable(let order) = result else {
            Issue.record("rejected: \(result)")
            return
        }
        #expect(order == [2, 0, 1])
        #expect(isValidLinearization(order, of: history, model: CASRegister()))
    }

    /// Porcupine's README: the read of 0 starts after a read of 200 returned.
    @Test func porcupinesNonLinearizableRegisterHistory() {
        let history = [
            op(0, .write(200), .ok, 0, 100),
            op(1, .read, .value(200), 10, 30),
            op(2, .read, .value(0), 40, 90),
        ]
        #expect(
            LinearizabilityChecker.check(history, model: CASRegister())
                == .notLinearizable(longestPrefix: [0, 1], blocked: 2))
    }

    /// Jepsen's canonical anomaly: a stale read, after the write was acknowledged.
    @Test func aStaleReadAfterAnAcknowledgedWriteIsRejected() {
        let history = [op(0, .write(1), .ok, 1, 2), op(1, .read, .value(0), 3, 4)]
        #expect(!LinearizabilityChecker.check(history, model: CASRegister()).isLinearizable)
        // The same read concurrent with the write may see either value.
        let concurrent = [op(0, .write(1), .ok, 1, 4), op(1, .read, .value(0), 2, 3)]
        #expect(LinearizabilityChecker.check(concurrent, model: CASRegister()).isLinearizable)
    }

    /// Two compare-and-sets from the same value cannot both succeed (a lost update); one of them
    /// failing is fine.
    @Test func twoSuccessfulCompareAndSetsFromOneValueAreRejected() {
        let both = [
            op(0, .compareAndSet(0, 1), .ok, 1, 4),
            op(1, .compareAndSet(0, 2), .ok, 2, 3),
        ]
        #expect(!LinearizabilityChecker.check(both, model: CASRegister()).isLinearizable)
        let one = [
            op(0, .compareAndSet(0, 1), .ok, 1, 4),
            op(1, .compareAndSet(0, 2), .failed, 2, 3),
            op(2, .read, .value(1), 5, 6),
        ]
        #expect(LinearizabilityChecker.check(one, model: CASRegister()).isLinearizable)
    }

    /// An unknown outcome (Jepsen's `:info`) may have taken effect or not, at any time after its
    /// call, but not both: once a read saw it, a later read cannot see the value before it.
    @Test func anUnknownWriteTakesEffectOnceOrNever() {
        let seen = [op(0, .write(1), nil, 1, nil), op(1, .read, .value(1), 10, 11)]
        #expect(LinearizabilityChecker.check(seen, model: CASRegister()).isLinearizable)
        let unseen = [op(0, .write(1), nil, 1, nil), op(1, .read, .value(0), 10, 11)]
        #expect(LinearizabilityChecker.check(unseen, model: CASRegister()).isLinearizable)
        let flickering = seen + [op(2, .read, .value(0), 12, 13)]
        #expect(!LinearizabilityChecker.check(flickering, model: CASRegister()).isLinearizable)
        // It cannot take effect before it was called.
        let early = [op(1, .read, .value(1), 1, 2), op(0, .write(1), nil, 3, nil)]
        #expect(!LinearizabilityChecker.check(early, model: CASRegister()).isLinearizable)
    }

    /// Knossos' classic: writes of 1 and 2 overlap, two later readers disagree on the order.
    @Test func readersThatDisagreeOnTheOrderOfTwoWritesAreRejected() {
        let agree = [
            op(0, .write(1), .ok, 1, 10), op(1, .write(2), .ok, 2, 11),
            op(2, .read, .value(2), 12, 13), op(3, .read, .value(2), 14, 15),
        ]
        #expect(LinearizabilityChecker.check(agree, model: CASRegister()).isLinearizable)
        let disagree = [
            op(0, .write(1), .ok, 1, 10), op(1, .write(2), .ok, 2, 11),
            op(2, .read, .value(2), 12, 13), op(3, .read, .value(1), 14, 15),
        ]
        #expect(!LinearizabilityChecker.check(disagree, model: CASRegister()).isLinearizable)
    }

    /// The znode register: `setData` with a version bumps the version by one; `badVersion` only
    /// when the version differs; a `sync`ed read sees both.
    @Test func znodeRegisterFollowsVersions() {
        typealias ZOp = HistoryOperation<ZnodeRegister.Input, ZnodeRegister.Output>
        let model = ZnodeRegister()
        let good: [ZOp] = [
            ZOp(
                process: 0, input: .write(value: 7, expected: 0), output: .written(version: 1), invoked: 1, completed: 4
            ),
            ZOp(process: 1, input: .write(value: 8, expected: 0), output: .badVersion, invoked: 2, completed: 3),
            ZOp(process: 1, input: .write(value: 9, expected: nil), output: nil, invoked: 5, completed: nil),
            ZOp(process: 2, input: .read, output: .read(.init(version: 1, value: 7)), invoked: 6, completed: 7),
            ZOp(process: 2, input: .read, output: .read(.init(version: 2, value: 9)), invoked: 8, completed: 9),
        ]
        #expect(LinearizabilityChecker.check(good, model: model).isLinearizable)
        // A badVersion for the version the node had all along.
        var lying = good
        lying[1].invoked = 0
        lying[1].completed = 1
        lying[0].invoked = 2
        #expect(!LinearizabilityChecker.check(lying, model: model).isLinearizable)
        // A write acknowledged with a version it cannot have made.
        var skipping = good
        skipping[0].output = .written(version: 2)
        #expect(!LinearizabilityChecker.check(skipping, model: model).isLinearizable)
    }

    /// Memoization keeps a long history with much concurrency cheap: 200 rounds of four writers
    /// and two readers, all overlapping within a round, a few outcomes unknown (each unknown
    /// outcome left pending doubles what an exhaustive search may explore).
    @Test func aLongConcurrentHistoryIsDecidedWithinTheLimit() {
        var history: [Op] = []
        var time = 0
        var value = 0
        for round in 0..<200 {
            let start = time
            for writer in 0..<4 {
                value += 1
                let unknown = writer == 0 && round % 70 == 1
                history.append(
                    op(writer, .write(value), unknown ? nil : .ok, start + writer, unknown ? nil : start + 10))
            }
            // Readers overlap every write of the round and see the last one.
            history.append(op(4, .read, .value(value), start + 5, start + 11))
            history.append(op(5, .read, .value(value), start + 12, start + 13))
            time = start + 14
        }
        let result = LinearizabilityChecker.check(history, model: CASRegister(), limit: 200_000)
        guard case .linearizable(let order) = result else {
            Issue.record("not decided: \(result)")
            return
        }
        #expect(isValidLinearization(order, of: history, model: CASRegister()))
        // The same history with one stale read near the end is found out.
        var stale = history
        stale[stale.count - 1].output = .value(value - 4)
        #expect(!LinearizabilityChecker.check(stale, model: CASRegister(), limit: 200_000).isLinearizable)
    }

    /// A recorded history survives a save and load, and checks the same per key.
    @Test func aRecordedHistoryIsCheckedAgainAfterLoading() throws {
        let recorder = HistoryRecorder<ZnodeRegister>()
        let write = recorder.invoke(process: 0, key: "/a", .write(value: 1, expected: 0))
        let read = recorder.invoke(process: 1, key: "/b", .read)
        recorder.complete(read, .read(.init(version: 0, value: 0)))
        recorder.complete(write, .written(version: 1))
        let stale = recorder.invoke(process: 1, key: "/a", .read)
        recorder.complete(stale, .read(.init(version: 0, value: 0)))
        let lost = recorder.invoke(process: 2, key: "/b", .write(value: 5, expected: nil))
        recorder.complete(lost, nil)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("history-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try recorder.save(to: file)
        let loaded = try HistoryRecorder<ZnodeRegister>.load(from: file)
        #expect(loaded == recorder.all)
        #expect(loaded.last?.operation.completed == nil)
        let failures = HistoryRecorder<ZnodeRegister>.check(loaded, model: ZnodeRegister())
        #expect(Array(failures.keys) == ["/a"])
    }
}

/// Pruning of the znode register's unknown outcomes.
@Suite struct ZnodeRegisterPruningTests {
    typealias ZOp = HistoryOperation<ZnodeRegister.Input, ZnodeRegister.Output>

    @Test func unknownWritesThatLostTheirVersionAndUnknownReadsAreLeftOut() {
        let history: [ZOp] = [
            // Version 1 was made by the value 10 (acknowledged): the unknown 11 never applied.
            ZOp(
                process: 0, input: .write(value: 10, expected: 0), output: .written(version: 1), invoked: 1,
                completed: 3),
            ZOp(process: 1, input: .write(value: 11, expected: 0), output: nil, invoked: 2, completed: nil),
            // Version 2 was seen holding 12, an unknown write: it stays.
            ZOp(process: 2, input: .write(value: 12, expected: 1), output: nil, invoked: 4, completed: nil),
            ZOp(process: 3, input: .read, output: .read(.init(version: 2, value: 12)), invoked: 5, completed: 6),
            // Nothing is known of version 3: the unknown 13 may have made it.
            ZOp(process: 3, input: .write(value: 13, expected: 2), output: nil, invoked: 7, completed: nil),
            ZOp(process: 4, input: .read, output: nil, invoked: 8, completed: nil),
        ]
        let pruned = ZnodeRegister().pruned(history)
        #expect(pruned == [history[0], history[2], history[3], history[4]])
        #expect(LinearizabilityChecker.check(pruned, model: ZnodeRegister()).isLinearizable)
    }
}
