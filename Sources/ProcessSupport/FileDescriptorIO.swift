#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whole writes and reads on file descriptors (stdout, stderr, stdin), retried after
/// interruptions and short writes.
package enum FileDescriptorIO {
    package static let standardInput: Int32 = 0
    package static let standardOutput: Int32 = 1
    package static let standardError: Int32 = 2

    /// Writes all the bytes, or as many as the descriptor takes before failing (a closed pipe,
    /// say); returns the error number of the failure, nil when all were written.
    @discardableResult
    package static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return nil }
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, base + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return written < 0 ? errno : EIO
                }
            }
            return nil
        }
    }

    /// Reads until end of file (or an error); blocks meanwhile.
    package static func readAll(_ descriptor: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes += chunk[..<count]
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                return bytes
            }
        }
    }

    /// A whole file's bytes, or why it cannot be read: "No such file or directory", "Permission
    /// denied", "Is a directory".
    package static func readFile(_ path: String) -> Result<[UInt8], FileError> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(FileError(path: path, number: errno)) }
        defer { close(descriptor) }
        var status = stat()
        if fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR {
            return .failure(FileError(path: path, number: EISDIR))
        }
        errno = 0
        let bytes = readAll(descriptor)
        if errno != 0 && errno != EINTR { return .failure(FileError(path: path, number: errno)) }
        return .success(bytes)
    }

    /// A file that could not be read: "cannot read PATH: REASON".
    package struct FileError: Error {
        package var path: String
        package var number: Int32
        package var reason: String { String(cString: strerror(number)) }
        package var message: String { "cannot read \(path): \(reason)" }
    }
}
