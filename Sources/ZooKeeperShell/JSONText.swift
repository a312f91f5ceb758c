#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// JSON documents in the shapes the shell's commands build and read: objects as `[String: Any]`,
/// arrays as `[Any]`, strings, booleans, integers, doubles, and nil for null.
///
/// Written with sorted keys and unescaped slashes, compact or indented; read through
/// `JSONDecoder`, with integers as `Int` and other numbers as `Double`.
enum JSONText {
    /// A value that has no JSON form (a NaN, say, or a type JSON does not know).
    struct Unencodable: Error, CustomStringConvertible {
        let description: String
    }

    /// The value as one JSON document: compact, or indented by two spaces per level.
    static func encode(_ value: Any, pretty: Bool = false) throws(Unencodable) -> String {
        var text = ""
        try write(value, into: &text, indent: pretty ? "" : nil)
        return text
    }

    /// The value of a JSON document.
    static func decode(_ bytes: some Sequence<UInt8>) throws -> Any {
        try JSONDecoder().decode(Value.self, from: Data(bytes)).any
    }

    private static func write(_ value: Any, into text: inout String, indent: String?) throws(Unencodable) {
        switch value {
        case let string as String:
            quote(string, into: &text)
        case let bool as Bool:
            text += bool ? "true" : "false"
        case let number as Double:
            guard number.isFinite else { throw Unencodable(description: "\(number) is not a JSON number") }
            let whole = number.rounded(.towardZero)
            text += whole == number && abs(number) < 1e15 ? String(Int64(number)) : "\(number)"
        case let number as any BinaryInteger:
            text += "\(number)"
        case let object as [String: Any]:
            try writeContainer(
                object.sorted { $0.key < $1.key }, open: "{", close: "}", into: &text, indent: indent
            ) { entry, text, inner throws(Unencodable) in
                quote(entry.key, into: &text)
                text += indent == nil ? ":" : " : "
                try write(entry.value, into: &text, indent: inner)
            }
        case let array as [Any]:
            try writeContainer(array, open: "[", close: "]", into: &text, indent: indent) {
                element, text, inner throws(Unencodable) in
                try write(element, into: &text, indent: inner)
            }
        default:
            let mirror = Mirror(reflecting: value)
            guard mirror.displayStyle == .optional else {
                throw Unencodable(description: "\(type(of: value)) has no JSON form")
            }
            if let wrapped = mirror.children.first?.value {
                try write(wrapped, into: &text, indent: indent)
            } else {
                text += "null"
            }
        }
    }

    private static func writeContainer<Element>(
        _ elements: [Element], open: String, close: String, into text: inout String, indent: String?,
        _ writeElement: (Element, inout String, String?) throws(Unencodable) -> Void
    ) throws(Unencodable) {
        text += open
        let inner = indent.map { $0 + "  " }
        for (index, element) in elements.enumerated() {
            if index > 0 { text += "," }
            if let inner { text += "\n" + inner }
            try writeElement(element, &text, inner)
        }
        if let indent, !elements.isEmpty { text += "\n" + indent }
        text += close
    }

    private static func quote(_ string: String, into text: inout String) {
        text += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            case ..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }

    /// A decoded JSON value.
    private enum Value: Decodable {
        case null, bool(Bool), integer(Int), number(Double), string(String), array([Value]), object([String: Value])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let bool = try? container.decode(Bool.self) {
                self = .bool(bool)
            } else if let integer = try? container.decode(Int.self) {
                self = .integer(integer)
            } else if let number = try? container.decode(Double.self) {
                self = .number(number)
            } else if let string = try? container.decode(String.self) {
                self = .string(string)
            } else if let array = try? container.decode([Value].self) {
                self = .array(array)
            } else {
                self = .object(try container.decode([String: Value].self))
            }
        }

        var any: Any {
            switch self {
            case .null: return String?.none as Any
            case .bool(let bool): return bool
            case .integer(let integer): return integer
            case .number(let number): return number
            case .string(let string): return string
            case .array(let array): return array.map(\.any)
            case .object(let object): return object.mapValues(\.any)
            }
        }
    }
}
