/// Znode path completion, shared by the shell's Tab and the shells' completion scripts: the word
/// is split at its last slash; the children of the node the part before it names (`resolve`
/// makes that a node path) that start with the rest are offered, each after the typed part.
enum PathCandidates {
    static func complete(_ word: String, resolve: (String) -> String, children: (String) -> [String]) -> [String] {
        let slash = word.lastIndex(of: "/")
        let directoryPart = slash.map { String(word[...$0]) } ?? ""
        let namePrefix = slash.map { String(word[word.index(after: $0)...]) } ?? word
        return children(resolve(directoryPart)).filter { $0.hasPrefix(namePrefix) }.sorted().map { directoryPart + $0 }
    }
}
