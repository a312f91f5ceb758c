import ArgumentParser
import ProcessSupport
import ZooKeeper

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension CompletionKind {
    /// Znode paths, listed live from the server named on the command line being completed.
    static var znode: CompletionKind { .custom(ZnodeCompletion.candidates) }
}

/// Shell completion of znode paths (bash, zsh, fish): the completion scripts call `zk` back with
/// the words typed so far (zsh: also the whole line in $ZK_COMPLETION_LINE); this asks the server
/// they name (`-s`/`--server`, else $ZK_SERVER,
/// $ZOOKEEPER_CONNECT, 127.0.0.1:2181) for the children of the typed directory. It waits about a
/// second at most ($ZK_COMPLETION_TIMEOUT seconds if set) and offers nothing, silently, when no
/// server answers.
enum ZnodeCompletion {
    @Sendable static func candidates(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        let typed = prefix.isEmpty ? "/" : prefix
        guard typed.hasPrefix("/") else { return [] }
        let server = server(in: words)
        let seconds = timeout()
        let patience = Duration.milliseconds(Int64(seconds * 1000))
        return Blocking.wait(atMost: .milliseconds(Int(seconds * 2500)), or: []) {
            var configuration = ZooKeeperClient.Configuration()
            configuration.connectTimeout = patience
            configuration.requestTimeout = patience
            configuration.sessionTimeout = .seconds(4)
            guard let zk = try? await ZooKeeperClient.connect(server, configuration: configuration) else { return [] }
            // The typed directory part is absolute and ends with its slash (but "/" itself).
            let candidates = await PathCandidates.complete(
                typed, resolve: { $0 == "/" || !$0.hasSuffix("/") ? $0 : String($0.dropLast()) },
                children: { (try? await zk.getChildren($0)) ?? [] },
                hasChildren: { ((try? await zk.exists($0))?.numChildren ?? 0) > 0 })
            _ = try? await zk.close()
            return candidates
        }
    }

    /// Seconds to wait for the server: `$ZK_COMPLETION_TIMEOUT` if it is a positive number, else 1
    /// (completion must not keep a prompt waiting; a slow link may want more).
    static func timeout(environment: [String: String] = ProcessInfo.processInfo.environment) -> Double {
        guard let text = environment[ConnectionEnvironment.completionTimeout], GlobalOptions.isSeconds(text) else {
            return 1
        }
        return Double(text)!
    }

    /// The server the command line names (`--server` anywhere, `-s` before the command name,
    /// where commands use it for their own flag), else the environment's, else the local default.
    static func server(in words: [String], environment: [String: String] = ProcessInfo.processInfo.environment)
        -> String
    {
        // zsh hands over only the subcommand's words; its completion script adds the whole line.
        let words = environment["ZK_COMPLETION_LINE"].map { $0.split(separator: " ").map(String.init) } ?? words
        var beforeCommand = true
        for (position, word) in words.enumerated().dropFirst() {
            let value = position + 1 < words.count ? words[position + 1] : nil
            if word == "--server" || (beforeCommand && word == "-s"), let value { return value }
            if word.hasPrefix("--server=") { return String(word.dropFirst("--server=".count)) }
            if CommandTable.command(named: word) != nil { beforeCommand = false }
        }
        return GlobalOptions.connectString(given: nil, environment: { environment[$0] })
    }
}
