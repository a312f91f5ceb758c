import ArgumentParser
import ZooKeeper
import ZooKeeperProtocol
import ZooKeeperServer

#if canImport(Glibc)
    import Glibc
#endif

/// `zk txnlog`: the transactions of Apache ZooKeeper transaction logs, filtered, as text or JSON Lines.
struct TxnLogCommand: ShellCommand {
    static let configuration = CommandConfiguration(
        commandName: "txnlog",
        abstract: "Print the transactions of Apache ZooKeeper transaction logs (who changed what, and when).",
        discussion: """
            LOG is a log file (log.<zxid>) or a data directory (its dataDir or version-2), whose logs \
            are read in order. One line per change: time (UTC), zxid, session, type, path and details; \
            a multi's operations get a line each, typed multi:<type>. With --json, JSON Lines: \
            {"zxid": "0x...", "time": ms, "session": "0x...", "cxid", "type", "path"} and, as the \
            type has them, "data" and "encoding", "acl", "version", "ephemeral", "ttl", "timeout", \
            "deleted" (a close's ephemeral nodes), "error". The \
            filters combine: --path (a glob on the path, '*' not crossing '/', '**' crossing it), \
            --session, --type (comma-separated: create, delete, setData, setACL, createSession, \
            closeSession, error, check, multi...), --since and --until (inclusive; a zxid as 0x... \
            or decimal, or a UTC time as 2026-01-31, 2026-01-31T12:00, 2026-01-31T12:00:05.250). \
            "Who deleted /config/db": zk txnlog DIR --type delete --path /config/db.

            --verify checks the logs instead: every checksum, the records' continuity (zxids rising by \
            one, a new epoch starting a new count), each file starting where its name says, and \
            nothing after a torn tail but in the newest log. It prints one line per problem and exits \
            1 if there is any. A damaged or cut record stops a listing with one line on stderr and \
            exit status 1, after the transactions before it.
            """)
    @OptionGroup(visibility: .hidden) var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .long, help: "Only changes to paths matching this glob.") var path: String?
    @Option(name: .long, help: "Only transactions of this session (0x... or decimal).") var session: String?
    @Option(name: .long, help: "Only these types (comma-separated).") var type: String?
    @Option(name: .long, help: "From this zxid or UTC time on.") var since: String?
    @Option(name: .long, help: "Up to this zxid or UTC time.") var until: String?
    @Flag(name: .long, help: "Check checksums and continuity instead of listing.") var verify = false
    @Argument(help: "A log file or a data directory.", completion: .file()) var log: String

    func run(in shell: ShellContext) async throws {
        let files = try Self.files(log)
        if verify { return try TxnLogVerification.run(files, output: shell.output, json: shell.json) }
        let filter = try TxnLogFilter(
            path: path, session: session.map(SessionID.parse), types: type, since: since, until: until)
        for file in files {
            let contents = try DataDirectory.readLog(file.path)
            for (_, record) in contents.records {
                for line in TxnLogLine.lines(of: record) where filter.matches(line) {
                    shell.json ? shell.output.json(line.json) : shell.output.line(line.text)
                }
            }
            switch contents.end {
            case .clean: break
            case .torn(let offset, let reason) where file == files.last:
                shell.output.error("zk: \(file.path): ends in a torn record at byte \(offset) (\(reason))")
            case .torn(let offset, let reason), .corrupt(let offset, let reason):
                throw ShellError("\(file.path): damaged at byte \(offset): \(reason)")
            }
        }
    }

    /// The logs `source` names: a file, or a data directory's logs, oldest first.
    static func files(_ source: String) throws -> [DataDirectory.File] {
        if DataDirectory.isDirectory(source) {
            let directory = try DataDirectory(source)
            guard !directory.logs.isEmpty else { throw ShellError("\(directory.path): no transaction logs") }
            return directory.logs
        }
        let name = String(source.split(separator: "/").last ?? "")
        return [DataDirectory.File(path: source, zxid: DataDirectory.zxid(in: name, prefix: "log") ?? -1)]
    }
}

/// One printed change: a transaction, or one operation of a multi.
struct TxnLogLine {
    var zxid: Int64
    var time: Int64
    var session: Int64
    var cxid: Int32
    /// The type, `multi:<type>` for an operation of a multi.
    var type: String
    var path: String?
    /// Paths a close deleted (its ephemeral nodes).
    var deleted: [String] = []
    var details: [String: Any] = [:]
    var detailText: [String] = []

    static func lines(of record: TxnLogRecord) -> [TxnLogLine] {
        let base = TxnLogLine(
            zxid: record.zxid, time: record.time, session: record.session, cxid: record.cxid, type: "", path: nil)
        if case .multi(let operations) = record.transaction.body {
            guard !operations.isEmpty else { return [base.with(record.transaction, prefix: "")] }
            return operations.map { base.with($0, prefix: "multi:") }
        }
        return [base.with(record.transaction, prefix: "")]
    }

    private func with(_ transaction: LoggedTransaction, prefix: String) -> TxnLogLine {
        var line = self
        line.type = prefix + transaction.type.description
        line.path = transaction.path
        func add(_ key: String, _ value: Any, _ text: String) {
            line.details[key] = value
            line.detailText.append(text)
        }
        func data(_ bytes: [UInt8]?) {
            let bytes = bytes ?? []
            for (key, value) in Formatting.json(data: bytes) { line.details[key] = value }
            line.detailText.append("data=" + Formatting.oneLine(bytes))
        }
        func acl(_ acl: [ACL]) {
            add(
                "acl", acl.map(Formatting.json),
                "acl=" + acl.map { "\($0.id.scheme):\($0.id.id):\($0.permissions)" }.joined(separator: ","))
        }
        switch transaction.body {
        case .createSession(let timeout):
            add("timeout", timeout, "timeout=\(timeout)")
        case .closeSession(let paths):
            line.deleted = paths ?? []
            if let paths, !paths.isEmpty { add("deleted", paths, "deleted=" + paths.joined(separator: ",")) }
        case .create(_, let bytes, let list, let ephemeral, _):
            data(bytes)
            acl(list)
            if ephemeral { add("ephemeral", true, "ephemeral") }
        case .createContainer(_, let bytes, let list, _):
            data(bytes)
            acl(list)
        case .createTTL(_, let bytes, let list, _, let ttl):
            data(bytes)
            acl(list)
            add("ttl", ttl, "ttl=\(ttl)")
        case .delete:
            break
        case .setData(_, let bytes, let version):
            data(bytes)
            add("version", version, "version=\(version)")
        case .setACL(_, let list, let version):
            acl(list)
            add("version", version, "version=\(version)")
        case .check(_, let version):
            add("version", version, "version=\(version)")
        case .error(let code):
            add("error", code.name, "error=\(code.name)")
        case .multi:
            break
        }
        return line
    }

    var text: String {
        ([TxnLogTime.text(time), Formatting.hex(zxid), "session=" + Formatting.hex(session), "cxid=\(cxid)", type]
            + (path.map { [$0] } ?? []) + detailText).joined(separator: " ")
    }

    var json: [String: Any] {
        var object = details
        object["zxid"] = Formatting.hex(zxid)
        object["time"] = time
        object["session"] = Formatting.hex(session)
        object["cxid"] = cxid
        object["type"] = type
        if let path { object["path"] = path }
        return object
    }
}

/// The listing's filters; every one given must match.
struct TxnLogFilter {
    var path: String?
    var session: Int64?
    var types: Set<String>?
    var since: Bound?
    var until: Bound?

    enum Bound {
        case zxid(Int64)
        case time(Int64)
    }

    init(path: String?, session: Int64?, types: String?, since: String?, until: String?) throws {
        self.path = path
        self.session = session
        self.types = types.map { Set($0.split(separator: ",").map { $0.filter { $0 != " " }.lowercased() }) }
        self.since = try since.map(Self.bound)
        self.until = try until.map(Self.bound)
    }

    static func bound(_ text: String) throws -> Bound {
        if text.lowercased().hasPrefix("0x"), let value = UInt64(text.dropFirst(2), radix: 16) {
            return .zxid(Int64(bitPattern: value))
        }
        if let value = Int64(text) { return .zxid(value) }
        if let time = TxnLogTime.parse(text) { return .time(time) }
        throw ShellError(
            "bad bound '\(text)': a zxid (0x... or decimal) or a UTC time (2026-01-31T12:00:05)",
            status: ExitStatus.usage)
    }

    func matches(_ line: TxnLogLine) -> Bool {
        if let session, line.session != session { return false }
        if let types {
            let type = line.type.lowercased()
            let plain = type.hasPrefix("multi:") ? String(type.dropFirst(6)) : type
            guard types.contains(type) || types.contains(plain) || (type.hasPrefix("multi:") && types.contains("multi"))
            else { return false }
        }
        if let path {
            let candidates = (line.path.map { [$0] } ?? []) + line.deleted
            guard candidates.contains(where: { Glob.matches(path, $0) }) else { return false }
        }
        if let since, !Self.after(line, since) { return false }
        if let until, !Self.before(line, until) { return false }
        return true
    }

    private static func after(_ line: TxnLogLine, _ bound: Bound) -> Bool {
        switch bound {
        case .zxid(let zxid): line.zxid >= zxid
        case .time(let time): line.time >= time
        }
    }

    private static func before(_ line: TxnLogLine, _ bound: Bound) -> Bool {
        switch bound {
        case .zxid(let zxid): line.zxid <= zxid
        case .time(let time): line.time <= time
        }
    }
}

/// Path globs: `*` and `?` within a name, `**` across names, as fnmatch with FNM_PATHNAME plus `**`.
enum Glob {
    static func matches(_ pattern: String, _ path: String) -> Bool {
        if pattern.contains("**") {
            return fnmatch(pattern.replacing("**", with: "*"), path, 0) == 0
        }
        return fnmatch(pattern, path, FNM_PATHNAME) == 0
    }
}

/// Times in transaction logs: milliseconds since the epoch, printed and parsed in UTC.
enum TxnLogTime {
    static func text(_ milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else { return "\(milliseconds)" }
        var text = [CChar](repeating: 0, count: 32)
        let count = strftime(&text, text.count, "%Y-%m-%dT%H:%M:%S", &parts)
        let millis = ((milliseconds % 1000) + 1000) % 1000
        let fraction = String(millis)
        return String(decoding: text[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) + "."
            + String(repeating: "0", count: 3 - fraction.count) + fraction + "Z"
    }

    /// `YYYY-MM-DD`, optionally `THH:MM`, `:SS`, `.mmm` and a final `Z`; UTC.
    static func parse(_ text: String) -> Int64? {
        var text = Substring(text)
        if text.hasSuffix("Z") { text = text.dropLast() }
        let halves = text.split(separator: "T", omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return nil }
        let date = halves[0].split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard date.count == 3, let year = date[0], let month = date[1], let day = date[2], (1...12).contains(month),
            (1...31).contains(day)
        else { return nil }
        var hour = 0
        var minute = 0
        var second = 0
        var millis = 0
        if halves.count == 2 {
            let clock = halves[1].split(separator: ":", omittingEmptySubsequences: false)
            guard (2...3).contains(clock.count), let h = Int(clock[0]), let m = Int(clock[1]), (0..<24).contains(h),
                (0..<60).contains(m)
            else { return nil }
            (hour, minute) = (h, m)
            if clock.count == 3 {
                let parts = clock[2].split(separator: ".", omittingEmptySubsequences: false)
                guard (1...2).contains(parts.count), let s = Int(parts[0]), (0..<61).contains(s) else { return nil }
                second = s
                if parts.count == 2 {
                    guard (1...3).contains(parts[1].count), let f = Int(parts[1]) else { return nil }
                    millis = f * [1, 100, 10, 1][parts[1].count]
                }
            }
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Int64(timegm(&parts)) * 1000 + Int64(millis)
    }
}
