/// ZooKeeper's path rules (`PathUtils.validatePath`), checked by the client before a request is
/// sent and by the server.
public enum PathValidation {
    /// Why `path` is not a valid node path, or nil when it is.
    ///
    /// For a sequential create the path is checked with a digit appended, as ZooKeeper checks the
    /// name the server will complete (so "/q/" and "/a/.." are fine there). Characters are checked
    /// as UTF-16 units, as in Java: a character above U+FFFF is a surrogate pair, which is refused.
    public static func problem(with path: String, isSequential: Bool = false) -> String? {
        if !isSequential && isPlainlyValid(path) { return nil }
        let path = isSequential ? path + "1" : path
        guard !path.isEmpty else { return "path must not be empty" }
        guard path.hasPrefix("/") else { return "path must start with '/'" }
        if path == "/" { return nil }
        if path.hasSuffix("/") { return "path must not end with '/'" }
        for segment in path.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            if segment.isEmpty { return "empty node name (\"//\") in path" }
            if segment == "." || segment == ".." { return "relative path segment '\(segment)'" }
        }
        for unit in path.utf16 {
            if unit == 0 { return "null character in path" }
            if (0x01...0x1F).contains(unit) || (0x7F...0x9F).contains(unit)
                || (0xD800...0xF8FF).contains(unit) || (0xFFF0...0xFFFF).contains(unit)
            {
                return "invalid character U+\(String(unit, radix: 16, uppercase: true)) in path"
            }
        }
        return nil
    }

    /// Whether `path` is a valid path of printable ASCII characters, in one pass over its bytes:
    /// the common case, checked without the allocations of the full check.
    private static func isPlainlyValid(_ path: String) -> Bool {
        var path = path
        return path.withUTF8 { bytes in
            guard bytes.count > 1, bytes[0] == UInt8(ascii: "/"), bytes[bytes.count - 1] != UInt8(ascii: "/") else {
                return false
            }
            // A segment must not be empty, "." or "..".
            func isPlainSegment(_ start: Int, _ end: Int) -> Bool {
                switch end - start {
                case 0: false
                case 1: bytes[start] != UInt8(ascii: ".")
                case 2: bytes[start] != UInt8(ascii: ".") || bytes[start + 1] != UInt8(ascii: ".")
                default: true
                }
            }
            var segmentStart = 1
            for index in 1..<bytes.count {
                let byte = bytes[index]
                guard byte >= 0x20 && byte < 0x7F else { return false }
                if byte == UInt8(ascii: "/") {
                    guard isPlainSegment(segmentStart, index) else { return false }
                    segmentStart = index + 1
                }
            }
            return isPlainSegment(segmentStart, bytes.count)
        }
    }

    /// Whether `path` is a valid node path.
    public static func isValid(_ path: String) -> Bool { problem(with: path) == nil }
}
