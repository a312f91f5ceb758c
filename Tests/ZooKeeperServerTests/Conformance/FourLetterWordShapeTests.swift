import Testing
import ZooKeeper
import ZooKeeperServer
import ZooKeeperTestSupport

/// The four-letter words answer in Apache ZooKeeper 3.8's shape, line for line: the same keys in
/// the same order and the same formats, with the values (ids, addresses, times, counts) reduced
/// to placeholders, since those naturally differ. Tools that parse them (zk-shell reads `cons`)
/// then work on both.
@Suite(.timeLimit(.minutes(5))) struct FourLetterWordShapeTests {
    static let words = [
        "ruok", "isro", "srvr", "stat", "cons", "conf", "envi", "mntr", "wchs", "wchc", "wchp", "dump", "dirs",
    ]

    @Test func everyWordHasApachesShape() async throws {
        let apache = try await ApacheZooKeeper.with(tickTime: 2000) { cluster in
            try await Self.answers(connectString: cluster.connectString)
        }
        var configuration = ZooKeeperServer.Configuration(port: 0)
        configuration.fourLetterWordWhitelist = ["*"]
        let ours = try await ZooKeeperServer.withServer(configuration: configuration) { server in
            try await Self.answers(connectString: server.connectString)
        }
        // The counts that do not depend on timing are the same too: `mntr` counts the watches of
        // both of Apache's managers, `wchs` only its data watches.
        for key in ["zk_watch_count", "zk_znode_count", "zk_ephemerals_count"] {
            #expect(Self.value(key, in: ours["mntr"]) == Self.value(key, in: apache["mntr"]), "\(key)")
        }
        #expect(ours["wchs"] == apache["wchs"])
        for word in Self.words {
            expectSameLines(
                Self.shape(of: apache[word] ?? "", word: word), Self.shape(of: ours[word] ?? "", word: word),
                what: "\(word) line")
        }
    }

    /// The value of `key` in a `mntr` answer.
    static func value(_ key: String, in answer: String?) -> String? {
        answer?.split(separator: "\n").first { $0.hasPrefix(key + "\t") }.map { String($0.dropFirst(key.count + 1)) }
    }

    /// Each word's answer while a session holds a data watch, a child watch, a persistent
    /// recursive watch and an ephemeral node, after a few requests.
    static func answers(connectString: String) async throws -> [String: String] {
        let port = Int(connectString.split(separator: ":").last!)!
        let zk = try await ZooKeeperClient.connect(connectString)
        try await zk.create("/app", data: "x")
        try await zk.create("/app/member", mode: .ephemeral)
        _ = try await zk.watchData("/app")
        _ = try await zk.watchChildren("/app")
        _ = try await zk.addWatch("/app", mode: .persistentRecursive)
        var answers: [String: String] = [:]
        for word in words { answers[word] = await fourLetterWord(word, port: port) }
        _ = try await zk.close()
        return answers
    }

    /// The answer with its values replaced: dates, addresses, hexadecimal and decimal numbers,
    /// and, where values are free text (`envi`, `conf`, the version), everything after the key.
    static func shape(of answer: String, word: String) -> [String] {
        var lines = answer.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Apache keeps expiry buckets that emptied until their time passes; only filled ones count.
        if word == "dump" { lines.removeAll { $0.hasPrefix("0 expire at ") } }
        return lines.map { line -> String in
            var line = line
            if word == "envi" || word == "conf" || line.hasPrefix("Zookeeper version:") || line.hasPrefix("zk_version")
            {
                if let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" || $0 == "\t" }) {
                    line = String(line[...separator]) + "…"
                }
            }
            line.replace(/[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d \w+ \d{4}/, with: "DATE")
            line.replace(/\/127\.0\.0\.1:\d+/, with: "ADDRESS")
            line.replace(/0x[0-9a-f]+/, with: "0x#")
            line.replace(/\(\d+\)/, with: "(#)")
            line.replace(/\d+\.\d+/, with: "#.#")
            line.replace(/([^A-Za-z_\d])\d+/) { "\($0.output.1)#" }
            line.replace(/^\d+/, with: "#")
            return line
        }.sortingConnectionLines()
    }
}

extension [String] {
    /// The lines of connections (` ADDRESS[…](…)`) sorted: Apache lists them in no set order.
    func sortingConnectionLines() -> [String] {
        var result = self
        var start = 0
        while start < result.count {
            guard result[start].hasPrefix(" ADDRESS") else {
                start += 1
                continue
            }
            var end = start
            while end < result.count && result[end].hasPrefix(" ADDRESS") { end += 1 }
            result[start..<end].sort()
            start = end
        }
        return result
    }
}
