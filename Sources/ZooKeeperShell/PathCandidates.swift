/// Znode path completion, shared by the shell's Tab and the shells' completion scripts: the word
/// is split at its last slash; the children of the node the part before it names (`resolve`
/// makes that a node path) that start with the rest are offered, each after the typed part. A
/// lone candidate that has children of its own is completed up to its slash, ready for the next
/// name.
enum PathCandidates {
    static func complete(
        _ word: String, resolve: (String) -> String, children: (String) async -> [String],
        hasChildren: (String) async -> Bool
    ) async -> [String] {
        let slash = word.lastIndex(of: "/")
        let directoryPart = slash.map { String(word[...$0]) } ?? ""
        let namePrefix = slash.map { String(word[word.index(after: $0)...]) } ?? word
        let paths = await children(resolve(directoryPart)).filter { $0.hasPrefix(namePrefix) }.sorted().map {
            directoryPart + $0
        }
        guard paths.count == 1, let only = paths.first, await hasChildren(resolve(only)) else { return paths }
        return [only + "/"]
    }
}
