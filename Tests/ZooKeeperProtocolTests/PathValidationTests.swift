import Testing
import ZooKeeperProtocol

// Expected results from Apache ZooKeeper 3.8.0's own org.apache.zookeeper.common.PathUtils.validatePath
// (run with Debian's zookeeper.jar), which both the Java client and the server apply.
@Suite(.timeLimit(.minutes(3))) struct PathValidationTests {
    @Test(arguments: [
        "/", "/a", "/a/b", "/a.b", "/...", "/a/é", "/zookeeper/config", "/a b", "/-_~",
    ])
    func validPaths(path: String) {
        #expect(PathValidation.problem(with: path) == nil)
        #expect(PathValidation.isValid(path))
    }

    @Test(arguments: [
        "", "a", "a/b", "/a/", "//", "/a//b", "/.", "/..", "/a/.", "/a/../b", "/a\u{0}b", "/a\u{1}", "/a\u{1F}",
        "/a\u{7F}", "/a\u{9F}", "/a\u{E000}", "/a\u{F8FF}", "/a\u{FFF0}", "/a\u{FFFF}",
    ])
    func invalidPaths(path: String) {
        #expect(PathValidation.problem(with: path) != nil)
        #expect(!PathValidation.isValid(path))
    }

    @Test func sequentialPathsMayEndWithASlash() {
        // Java validates path + "1" for sequential creates: "/a/" -> "/a/1" is valid, "/a//" -> "/a//1" is not.
        #expect(PathValidation.problem(with: "/a/", isSequential: true) == nil)
        #expect(PathValidation.problem(with: "/", isSequential: true) == nil)
        #expect(PathValidation.problem(with: "/a/lock-", isSequential: true) == nil)
        #expect(PathValidation.problem(with: "/a//", isSequential: true) != nil)
        #expect(PathValidation.problem(with: "/a//b-", isSequential: true) != nil)
        #expect(PathValidation.problem(with: "a/", isSequential: true) != nil)
    }

    @Test func charactersJustOutsideTheForbiddenRanges() {
        #expect(PathValidation.isValid("/a\u{20}"))
        #expect(PathValidation.isValid("/a\u{7E}"))
        #expect(PathValidation.isValid("/a\u{A0}"))
        #expect(PathValidation.isValid("/a\u{D7FF}"))
        #expect(PathValidation.isValid("/a\u{F900}"))
        #expect(PathValidation.isValid("/a\u{FFEF}"))
    }

    @Test func supplementaryCharactersAreRejectedAsJavaDoes() {
        // Java checks UTF-16 code units: U+1F600 is the surrogate pair D83D DE00, inside the forbidden
        // U+D800-U+F8FF range, so validatePath("/😀") throws "invalid character @1" and the server
        // answers BadArguments.
        #expect(!PathValidation.isValid("/😀"))
        #expect(!PathValidation.isValid("/a/\u{10000}"))
    }

    @Test func sequentialDotSegmentsAreValidInJava() {
        // Java validates "/." + "1" = "/.1" and "/a/.." + "1" = "/a/..1" for sequential creates: valid.
        #expect(PathValidation.problem(with: "/.", isSequential: true) == nil)
        #expect(PathValidation.problem(with: "/a/..", isSequential: true) == nil)
    }
}
