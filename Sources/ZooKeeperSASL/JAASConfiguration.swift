/// A JAAS login configuration file, as Java's `ConfigFile` reads it: named sections of login
/// modules, each a class name, a flag and `key=value` options, with `//` and `/* */` comments.
///
/// ```
/// Client {
///   org.apache.zookeeper.server.auth.DigestLoginModule required
///   username="alice" password="secret";
/// };
/// ```
public struct JAASConfiguration: Hashable, Sendable {
    /// One login module entry of a section.
    public struct LoginModule: Hashable, Sendable {
        /// The module's Java class (`org.apache.zookeeper.server.auth.DigestLoginModule`).
        public var className: String
        /// `required`, `requisite`, `sufficient` or `optional`.
        public var flag: String
        /// The options, as written (quotes removed).
        public var options: [String: String]
    }

    /// The sections by name, their modules in order.
    public private(set) var sections: [String: [LoginModule]] = [:]

    /// Parses the text of a JAAS file; the error names the line of the first mistake.
    public init(parsing text: String) throws(SASLError) {
        var tokens = try JAASTokenizer(text).tokens()
        tokens.reverse()
        func next(_ expected: String) throws(SASLError) -> JAASTokenizer.Token {
            guard let token = tokens.popLast() else {
                throw SASLError("the JAAS file ends early: \(expected) expected")
            }
            return token
        }
        func expect(_ symbol: String) throws(SASLError) {
            let token = try next("'\(symbol)'")
            guard token.text == symbol, !token.quoted else {
                throw SASLError("line \(token.line) of the JAAS file: '\(symbol)' expected, found '\(token.text)'")
            }
        }
        while let name = tokens.popLast() {
            try expect("{")
            var modules: [LoginModule] = []
            while tokens.last.map({ $0.text != "}" || $0.quoted }) ?? false {
                let className = try next("a login module")
                let flag = try next("a flag")
                guard ["required", "requisite", "sufficient", "optional"].contains(flag.text.lowercased()) else {
                    throw SASLError(
                        "line \(flag.line) of the JAAS file: '\(flag.text)' is not a login module flag (required, requisite, sufficient, optional)"
                    )
                }
                var options: [String: String] = [:]
                while true {
                    let key = try next("an option or ';'")
                    if key.text == ";" && !key.quoted { break }
                    try expect("=")
                    options[key.text] = try next("a value").text
                }
                modules.append(LoginModule(className: className.text, flag: flag.text.lowercased(), options: options))
            }
            try expect("}")
            try expect(";")
            sections[name.text] = modules
        }
    }
}

/// Splits a JAAS file into words, quoted strings and the symbols `{ } ; =`, skipping comments.
struct JAASTokenizer {
    struct Token {
        var text: String
        var quoted: Bool
        var line: Int
    }

    private let characters: [Character]

    init(_ text: String) {
        characters = Array(text)
    }

    func tokens() throws(SASLError) -> [Token] {
        var result: [Token] = []
        var index = 0
        var line = 1
        func peek(_ offset: Int = 0) -> Character? {
            index + offset < characters.count ? characters[index + offset] : nil
        }
        while let character = peek() {
            if character == "\n" {
                line += 1
                index += 1
            } else if character.isWhitespace {
                index += 1
            } else if character == "/" && peek(1) == "/" {
                while let c = peek(), c != "\n" { index += 1 }
            } else if character == "/" && peek(1) == "*" {
                index += 2
                while let c = peek(), !(c == "*" && peek(1) == "/") {
                    if c == "\n" { line += 1 }
                    index += 1
                }
                guard peek() != nil else { throw SASLError("the JAAS file ends inside a comment") }
                index += 2
            } else if "{};=".contains(character) {
                result.append(Token(text: String(character), quoted: false, line: line))
                index += 1
            } else if character == "\"" {
                let start = line
                index += 1
                var text = ""
                while let c = peek(), c != "\"" {
                    if c == "\n" { line += 1 }
                    if c == "\\", let escaped = peek(1) {
                        text.append(escaped)
                        index += 2
                    } else {
                        text.append(c)
                        index += 1
                    }
                }
                guard peek() != nil else { throw SASLError("line \(start) of the JAAS file: a quote is not closed") }
                index += 1
                result.append(Token(text: text, quoted: true, line: start))
            } else {
                var text = ""
                while let c = peek(), !c.isWhitespace, !"{};=\"".contains(c) {
                    text.append(c)
                    index += 1
                }
                result.append(Token(text: text, quoted: false, line: line))
            }
        }
        return result
    }
}
