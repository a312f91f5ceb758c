#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// JSON documents in the shapes the shell's commands build and read: objects as `[String: Any]`,
/// arrays as `[Any]`, strings, booleans, integers, doubles, and nil for null.
///
/// Written by `JSONEncoder`, with each object's keys sorted (in code-point order) and slashes
/// unescaped, compact or indented (an empty array or object then takes two lines); read through `JSONDecoder`, with integers as `Int` and other numbers as
/// `Double`.
package enum JSONText {
    /// A value that has no JSON form (a NaN, say, or a type JSON does not know).
    package struct Unencodable: Error, CustomStringConvertible {
        package let description: String
    }

    /// The value as one JSON document: compact, or indented by two spaces per level.
    package static func encode(_ value: Any, pretty: Bool = false) throws(Unencodable) -> String {
        let encoder = JSONEncoder()
        // Sorted keys: in code-point order, as `String`'s `<` sorts them.
        encoder.outputFormatting =
            pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        let document = try Value(value)
        do {
            return String(decoding: try encoder.encode(document), as: UTF8.self)
        } catch {
            throw Unencodable(description: "\(error)")
        }
    }

    /// The value of a JSON document.
    static func decode(_ bytes: some Sequence<UInt8>) throws -> Any {
        try JSONDecoder().decode(Value.self, from: Data(bytes)).any
    }

    /// A JSON value, as written and as read.
    private enum Value: Codable {
        case null, bool(Bool), integer(Int), unsigned(UInt64), number(Double), string(String), array([Value])
        case object([String: Value])

        /// The JSON value of one of the shapes the commands build.
        init(_ value: Any) throws(Unencodable) {
            switch value {
            case let string as String:
                self = .string(string)
            case let bool as Bool:
                self = .bool(bool)
            case let number as Double:
                guard number.isFinite else { throw Unencodable(description: "\(number) is not a JSON number") }
                let whole = number.rounded(.towardZero)
                self = whole == number && abs(number) < 1e15 ? .integer(Int(number)) : .number(number)
            case let number as any BinaryInteger:
                if let integer = Int(exactly: number) {
                    self = .integer(integer)
                } else if let unsigned = UInt64(exactly: number) {
                    self = .unsigned(unsigned)
                } else {
                    throw Unencodable(description: "\(number) is out of JSON's integer range")
                }
            case let object as [String: Any]:
                var values: [String: Value] = [:]
                for (key, element) in object { values[key] = try Value(element) }
                self = .object(values)
            case let array as [Any]:
                var values: [Value] = []
                values.reserveCapacity(array.count)
                for element in array { values.append(try Value(element)) }
                self = .array(values)
            default:
                let mirror = Mirror(reflecting: value)
                guard mirror.displayStyle == .optional else {
                    throw Unencodable(description: "\(type(of: value)) has no JSON form")
                }
                if let wrapped = mirror.children.first?.value {
                    self = try Value(wrapped)
                } else {
                    self = .null
                }
            }
        }

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .object(let object):
                var container = encoder.container(keyedBy: Key.self)
                for (key, value) in object {
                    try container.encode(value, forKey: Key(key))
                }
            case .array(let array):
                var container = encoder.unkeyedContainer()
                for value in array { try container.encode(value) }
            case .null:
                var container = encoder.singleValueContainer()
                try container.encodeNil()
            case .bool(let bool): try bool.encode(to: encoder)
            case .integer(let integer): try integer.encode(to: encoder)
            case .unsigned(let unsigned): try unsigned.encode(to: encoder)
            case .number(let number): try number.encode(to: encoder)
            case .string(let string): try string.encode(to: encoder)
            }
        }

        /// An object's key.
        private struct Key: CodingKey {
            let stringValue: String
            var intValue: Int? { nil }
            init(_ key: String) { stringValue = key }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

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
            case .unsigned(let unsigned): return unsigned
            case .number(let number): return number
            case .string(let string): return string
            case .array(let array): return array.map(\.any)
            case .object(let object): return object.mapValues(\.any)
            }
        }
    }
}
