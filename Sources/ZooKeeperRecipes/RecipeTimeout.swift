import ZooKeeper

/// A recipe's wait (barrier, read-write lock, semaphore) did not end in time; what it had
/// started (its node) was withdrawn.
public struct RecipeTimeout: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was waited for, e.g. "enter the barrier".
    public var operation: String
    /// The node the recipe works at.
    public var path: String
    /// The time allowed.
    public var timeout: Duration
    /// A one-line explanation.
    public var description: String { "could not \(operation) \(path) within \(timeout)" }
}

/// Runs `body`; with a timeout, cancels it and throws `RecipeTimeout` once the timeout passes.
func withTimeout<T: Sendable>(
    _ timeout: Duration?, _ operation: String, path: String, _ body: @Sendable @escaping () async throws -> T
) async throws -> T {
    guard let timeout else { return try await body() }
    return try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw RecipeTimeout(operation: operation, path: path, timeout: timeout)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// Runs `body` in a task of its own, so that it completes even when the current task is
/// cancelled (a cancelled task's requests are abandoned): for withdrawing a recipe's node.
func uncancelled(_ body: @Sendable @escaping () async -> Void) async {
    await Task { await body() }.value
}
