/// A path or a name compared as ZooKeeper compares them: code unit by code unit. Swift's `String`
/// equality follows canonical equivalence, under which "é" written as one code point and "e"
/// followed by a combining accent are equal; to ZooKeeper they are two different nodes.
package struct ExactString: Hashable, Sendable {
    package let string: String

    package init(_ string: String) {
        self.string = string
    }

    package static func == (left: ExactString, right: ExactString) -> Bool {
        left.string.utf8.elementsEqual(right.string.utf8)
    }

    package func hash(into hasher: inout Hasher) {
        var string = string
        string.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
