import ZooKeeperSASL

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension ServeCommand {
    /// The SASL users of --sasl-jaas and --sasl-users together (nil: neither given, no SASL).
    func saslUserList() throws -> [String: String]? {
        guard jaas != nil || saslUsers != nil else { return nil }
        var users: [String: String] = [:]
        if let jaas {
            let text = try Self.read(jaas, "JAAS file")
            do {
                users.merge(try JAASConfiguration(parsing: text).serverUsers(section: jaasSection)) { $1 }
            } catch {
                throw ShellError("\(jaas): \(error.message)")
            }
        }
        if let saslUsers {
            do {
                users.merge(try SASLUsersFile.parse(try Self.read(saslUsers, "users file"))) { $1 }
            } catch let error as SASLError {
                throw ShellError("\(saslUsers): \(error.message)")
            }
        }
        guard !users.isEmpty else {
            throw ShellError("no SASL users in \(jaas ?? saslUsers ?? "")")
        }
        return users
    }

    private static func read(_ path: String, _ what: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ShellError("cannot read the \(what) \(path)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
