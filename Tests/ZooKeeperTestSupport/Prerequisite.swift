import Foundation
import Testing

/// What some tests need besides Swift: Java with Debian's Apache ZooKeeper (the oracle of the
/// differential and integration tests) and MIT Kerberos (the GSSAPI tests). `make deps` installs
/// them. Without them `swift test` runs the rest and reports each test that needed them as
/// skipped, saying what was missing; `make test` sets `ZK_TESTS_REQUIRE_ALL`, and there a missing
/// prerequisite fails the test instead, so that the full run never passes by skipping.
public enum Prerequisite {
    /// Java and Apache ZooKeeper's jar, for tests that start Apache ZooKeeper servers or its CLI.
    public static func apacheZooKeeper() throws {
        try require(
            FileManager.default.fileExists(atPath: ApacheZooKeeper.jar) && isOnPath("java"),
            "Apache ZooKeeper and Java are not installed (\(ApacheZooKeeper.jar), java); run `make deps`")
    }

    /// MIT Kerberos's KDC and tools, for the GSSAPI tests.
    public static func kerberos() throws {
        try require(
            FileManager.default.fileExists(atPath: "/usr/sbin/krb5kdc"),
            "MIT Kerberos is not installed (/usr/sbin/krb5kdc); run `make deps`")
    }

    private static func require(_ installed: Bool, _ missing: String) throws {
        guard !installed else { return }
        guard ProcessInfo.processInfo.environment["ZK_TESTS_REQUIRE_ALL"] == nil else {
            throw ApacheZooKeeperError.notInstalled(missing)
        }
        // Said on stderr too: Swift Testing does not list a cancelled case of a parameterized test.
        let test = Test.current.map { "\($0.name)" } ?? "a test"
        FileHandle.standardError.write(Data("skipped \(test): \(missing)\n".utf8))
        #if compiler(>=6.3)
            try Test.cancel("skipped: \(missing)")
        #else
            throw ApacheZooKeeperError.notInstalled(missing)
        #endif
    }

    private static func isOnPath(_ program: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { directory in
            FileManager.default.isExecutableFile(atPath: "\(directory)/\(program)")
        }
    }
}
