/// The `name=value` lists DIGEST-MD5 messages are made of (RFC 2831 section 7.1): values are
/// tokens or quoted strings with backslash escapes; a name may repeat (`realm`).
struct DigestMD5Directives: Hashable, Sendable {
    struct Entry: Hashable, Sendable {
        var name: String
        var value: String
        /// Written as a quoted string.
        var quoted: Bool
    }

    private(set) var entries: [Entry] = []

    init() {}

    /// Parses a message; throws on unbalanced quotes or an entry without `=`.
    init(parsing bytes: [UInt8]) throws(SASLError) {
        let text = String(decoding: bytes, as: UTF8.self)
        var index = text.startIndex
        func skipSeparators() {
            while index < text.endIndex, text[index] == "," || text[index].isWhitespace {
                index = text.index(after: index)
            }
        }
        skipSeparators()
        while index < text.endIndex {
            guard let equals = text[index...].firstIndex(of: "=") else {
                throw SASLError("unreadable DIGEST-MD5 message: an entry has no value")
            }
            let name = text[index..<equals].trimmed().lowercased()
            index = text.index(after: equals)
            var value = ""
            let quoted = index < text.endIndex && text[index] == "\""
            if quoted {
                index = text.index(after: index)
                var closed = false
                while index < text.endIndex {
                    let character = text[index]
                    index = text.index(after: index)
                    if character == "\\", index < text.endIndex {
                        value.append(text[index])
                        index = text.index(after: index)
                    } else if character == "\"" {
                        closed = true
                        break
                    } else {
                        value.append(character)
                    }
                }
                guard closed else { throw SASLError("unreadable DIGEST-MD5 message: a quote is not closed") }
            } else {
                let end = text[index...].firstIndex(of: ",") ?? text.endIndex
                value = String(text[index..<end].trimmed())
                index = end
            }
            guard !name.isEmpty else { throw SASLError("unreadable DIGEST-MD5 message: an entry has no name") }
            entries.append(Entry(name: name, value: value, quoted: quoted))
            skipSeparators()
        }
    }

    /// The first value of `name`, if any.
    subscript(name: String) -> String? {
        entries.first { $0.name == name }?.value
    }

    /// Every value of `name`, in order.
    func all(_ name: String) -> [String] {
        entries.filter { $0.name == name }.map(\.value)
    }

    /// Appends an entry; `quoted` writes the value as a quoted string.
    mutating func append(_ name: String, _ value: String, quoted: Bool) {
        entries.append(Entry(name: name, value: value, quoted: quoted))
    }

    /// The message as sent: entries joined by commas, values as appended.
    var bytes: [UInt8] {
        let text = entries.map { entry in
            "\(entry.name)=" + (entry.quoted ? "\"" + Self.escaped(entry.value) + "\"" : entry.value)
        }
        return Array(text.joined(separator: ",").utf8)
    }

    private static func escaped(_ value: String) -> String {
        var result = ""
        for character in value {
            if character == "\"" || character == "\\" { result.append("\\") }
            result.append(character)
        }
        return result
    }
}

extension Substring {
    /// The text without leading and trailing white space.
    func trimmed() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
