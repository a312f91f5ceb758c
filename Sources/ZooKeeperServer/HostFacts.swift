#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Facts about the machine and the process, as the four-letter words `envi`, `mntr`, `conf`, `dirs`
/// and `dump` report them.
enum HostFacts {
    /// `uname`'s system name, release and machine (`x86_64` as Java's `os.arch` names it: `amd64`).
    static var system: (name: String, release: String, architecture: String) {
        var names = utsname()
        uname(&names)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let machine = field(names.machine)
        return (field(names.sysname), field(names.release), machine == "x86_64" ? "amd64" : machine)
    }

    static var userName: String {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return "" }
        return String(cString: name)
    }

    static var workingDirectory: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// Megabytes: the machine's available memory, its physical memory, and this process's
    /// resident size (Java reports its heap's free, maximum and total here).
    static var memoryMegabytes: (free: Int, max: Int, total: Int) {
        let page = sysconf(Int32(_SC_PAGESIZE))
        let available = sysconf(Int32(_SC_AVPHYS_PAGES)) * page
        let physical = sysconf(Int32(_SC_PHYS_PAGES)) * page
        // statm: the program's size, then its resident pages.
        let statm = read("/proc/self/statm").split(separator: " ")
        let resident = statm.count > 1 ? (Int(statm[1]) ?? 0) * page : 0
        let megabyte = 1 << 20
        return (available / megabyte, physical / megabyte, resident / megabyte)
    }

    /// A small file's text (empty when it cannot be read).
    private static func read(_ path: String) -> String {
        guard let file = fopen(path, "r") else { return "" }
        defer { fclose(file) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = fread(&buffer, 1, buffer.count, file)
        return String(decoding: buffer.prefix(count), as: UTF8.self)
    }

    static var openFileDescriptors: Int {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while readdir(directory) != nil { count += 1 }
        return max(0, count - 3)  // ".", ".." and the directory's own descriptor
    }

    static var maximumFileDescriptors: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        return Int(limit.rlim_cur)
    }

    /// The bytes of the regular files in a directory tree.
    static func directorySize(_ path: String) -> Int {
        guard let directory = opendir(path) else { return 0 }
        defer { closedir(directory) }
        var total = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name != "." && name != ".." else { continue }
            let child = path + "/" + name
            var info = stat()
            guard lstat(child, &info) == 0 else { continue }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                total += directorySize(child)
            } else if (info.st_mode & S_IFMT) == S_IFREG {
                total += Int(info.st_size)
            }
        }
        return total
    }

    /// A moment as Java's `Date.toString()` prints it: `Sun Dec 06 15:30:53 UTC 2026`.
    static func javaDate(milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let length = strftime(&buffer, buffer.count, "%a %b %d %H:%M:%S %Z %Y", &parts)
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
