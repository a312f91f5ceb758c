/// A file of SASL DIGEST-MD5 users for `zk serve`: one `NAME:PASSWORD` a line (the password is
/// everything after the first colon), blank lines and lines starting with `#` ignored.
public enum SASLUsersFile {
    /// The users and their passwords; the error names the first line that is not `NAME:PASSWORD`.
    public static func parse(_ text: String) throws(SASLError) -> [String: String] {
        var users: [String: String] = [:]
        // By Character, "\r\n" is one newline.
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            if line.allSatisfy(\.isWhitespace) || line.first == "#" { continue }
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                throw SASLError("line \(index + 1) of the users file is not NAME:PASSWORD")
            }
            users[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return users
    }
}
