import Testing
import ZooKeeperTestSupport

/// The Jepsen workloads' checks find the anomalies they are there for, given histories that
/// have them (no ensemble needed).
@Suite struct WorkloadCheckTests {
    @Test func theRegisterCheckFindsAStaleSyncedReadABackwardsReadAndAVersionWithTwoValues() {
        let register = RegisterWorkload()
        let key = RegisterWorkload.keys[0]
        let write = register.history.invoke(process: 0, key: key, .write(value: 5, expected: 0))
        register.history.complete(write, .written(version: 1))
        let read = register.history.invoke(process: 1, key: key, .read)
        register.history.complete(read, .read(.init(version: 1, value: 5)))
        register.record(session: 1, key: key, .init(version: 1, value: 5))
        #expect(register.anomalies().isEmpty)

        let stale = register.history.invoke(process: 1, key: key, .read)
        register.history.complete(stale, .read(.init(version: 0, value: 0)))
        register.record(session: 1, key: key, .init(version: 0, value: 0))
        register.record(session: 2, key: key, .init(version: 1, value: 6))
        let anomalies = register.anomalies()
        #expect(anomalies.count == 3, "\(anomalies)")
        #expect(anomalies.contains { $0.hasPrefix("register \(key) is not linearizable") })
        #expect(anomalies.contains { $0.hasPrefix("session 1 read \(key) at version 0 after seeing 1") })
        #expect(anomalies.contains { $0.hasPrefix("\(key) version 1 seen holding 5 and 6") })
    }

    @Test func theLockCheckFindsOverlappingHoldersAnOldTokenAndAHolderTrustedTooLong() {
        let lock = LockWorkload()
        lock.record(.init(holder: 1, token: 10, entered: 1, left: 2, lost: false, refusedWhileTrusted: false))
        lock.record(.init(holder: 2, token: 20, entered: 3, left: 6, lost: false, refusedWhileTrusted: false))
        // A holder that lost the lock (cancelled) may overlap the next one.
        lock.record(.init(holder: 3, token: 15, entered: 4, left: 5, lost: true, refusedWhileTrusted: false))
        #expect(lock.anomalies().isEmpty)

        lock.record(.init(holder: 1, token: 30, entered: 7, left: 10, lost: false, refusedWhileTrusted: false))
        lock.record(.init(holder: 3, token: 40, entered: 8, left: 9, lost: false, refusedWhileTrusted: false))
        lock.record(.init(holder: 2, token: 25, entered: 11, left: 12, lost: false, refusedWhileTrusted: true))
        let anomalies = lock.anomalies()
        #expect(
            Set(anomalies) == [
                "holders 1 and 3 held the lock at once", "token 25 granted after token 30",
                "token 25 granted after token 40",
                "the resource refused holder 2 (token 25) before the lock told it the lock was lost",
            ], "\(anomalies)")
    }
}
