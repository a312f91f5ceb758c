/// ZooKeeper's path rules (`PathUtils.validatePath`), checked on the client before a request is sent.
public enum PathValidation {
    /// Why `path` is not a valid node path, or nil when it is.
    public static func problem(with path: String, isSequential: Bool = false) -> String? {
        guard !path.isEmpty else { return "path must not be empty" }
        guard path.hasPrefix("/") else { return "path must start with '/'" }
        if path == "/" { return nil }
        if path.hasSuffix("/") && !isSequential { return "path must not end with '/'" }
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        for (index, segment) in segments.enumerated() {
            if segment.isEmpty {
                if isSequential && index == segments.count - 1 { continue }
                return "empty node name (\"//\") in path"
            }
            if segment == "." || segment == ".." { return "relative path segment '\(segment)'" }
        }
        for scalar in path.unicodeScalars {
            let value = scalar.value
            if value == 0 { return "null character in path" }
            if (0x01...0x1F).contains(value) || (0x7F...0x9F).contains(value)
                || (0xD800...0xF8FF).contains(value) || (0xFFF0...0xFFFF).contains(value)
            {
                return "invalid character U+\(String(value, radix: 16, uppercase: true)) in path"
            }
        }
        return nil
    }

    /// Whether `path` is a valid node path.
    public static func isValid(_ path: String) -> Bool { problem(with: path) == nil }
}
