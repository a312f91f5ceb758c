import ProcessSupport
import ZooKeeper
import ZooKeeperProtocol

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// How nodes, stats and ACLs are printed, as text (zkCli's layout) and as JSON.
enum Formatting {
    static func hex(_ value: Int64) -> String { "0x" + String(UInt64(bitPattern: value), radix: 16) }

    static func date(_ milliseconds: Int64) -> String {
        // Java's Date.toString(), as zkCli prints it, in local time.
        var seconds = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        var parts = tm()
        var text = [CChar](repeating: 0, count: 64)
        guard localtime_r(&seconds, &parts) != nil else { return "\(milliseconds) ms" }
        let count = strftime(&text, text.count, "%a %b %d %H:%M:%S %Z %Y", &parts)
        return String(decoding: text[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// zkCli's stat block.
    static func text(_ stat: Stat) -> String {
        """
        cZxid = \(hex(stat.czxid))
        ctime = \(date(stat.ctime))
        mZxid = \(hex(stat.mzxid))
        mtime = \(date(stat.mtime))
        pZxid = \(hex(stat.pzxid))
        cversion = \(stat.cversion)
        dataVersion = \(stat.version)
        aclVersion = \(stat.aversion)
        ephemeralOwner = \(hex(stat.ephemeralOwner))
        dataLength = \(stat.dataLength)
        numChildren = \(stat.numChildren)
        """
    }

    static func json(_ stat: Stat) -> [String: Any] {
        [
            "czxid": stat.czxid, "mzxid": stat.mzxid, "pzxid": stat.pzxid, "ctime": stat.ctime, "mtime": stat.mtime,
            "version": stat.version, "cversion": stat.cversion, "aversion": stat.aversion,
            "ephemeralOwner": stat.ephemeralOwner, "dataLength": stat.dataLength, "numChildren": stat.numChildren,
        ]
    }

    /// Data as JSON: UTF-8 text when it is, else base64.
    static func json(data: [UInt8]) -> [String: Any] {
        if let text = String(validating: data, as: UTF8.self) {
            return ["data": text, "encoding": "utf-8"]
        }
        return ["data": Data(data).base64EncodedString(), "encoding": "base64"]
    }

    /// Data on one line: UTF-8 text with \\ and newlines escaped (\\\\, \\n), else "base64:" and
    /// its base64.
    static func oneLine(_ data: [UInt8]) -> String {
        guard let text = String(validating: data, as: UTF8.self) else {
            return "base64:" + Data(data).base64EncodedString()
        }
        var line = ""
        for character in text {
            switch character {
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            default: line.append(character)
            }
        }
        return line
    }

    static func json(_ acl: ACL) -> [String: Any] {
        ["scheme": acl.id.scheme, "id": acl.id.id, "perms": acl.permissions.description]
    }

    static func json(_ event: WatchedEvent) -> [String: Any] {
        ["type": "\(event.type)", "path": event.path]
    }
}

/// Node data given on the command line: the text itself, "-" for stdin, "@file" for a file, and
/// "@@text" for text that starts with "@" (one "@" is dropped).
enum DataArgument {
    static func read(_ argument: String?) async throws -> [UInt8] {
        guard let argument else { return [] }
        if argument == "-" {
            return await withCheckedContinuation { continuation in
                Blocking.onOwnThread {
                    continuation.resume(returning: FileDescriptorIO.readAll(FileDescriptorIO.standardInput))
                }
            }
        }
        if argument.hasPrefix("@@") { return Array(argument.utf8.dropFirst()) }
        if argument.hasPrefix("@") {
            switch FileDescriptorIO.readFile(String(argument.dropFirst())) {
            case .success(let bytes): return bytes
            case .failure(let error):
                throw ShellError("\(error.message) (data that starts with '@' is written '@@...')")
            }
        }
        return Array(argument.utf8)
    }
}
