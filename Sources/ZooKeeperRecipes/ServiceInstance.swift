#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One instance of a service, as stored (JSON) in its registry node.
///
/// The JSON keys are `id`, `name`, `address`, `port` (absent when nil), `payload` (an object of
/// strings) and `registrationTimeUTC` (milliseconds since 1970), as Curator's service discovery
/// names them.
public struct ServiceInstance: Codable, Hashable, Sendable {
    /// Unique within the service; the node's name.
    public var id: String
    /// The service's name.
    public var name: String
    /// A host name or IP address.
    public var address: String
    /// The port, if the instance has one.
    public var port: Int?
    /// Free-form metadata (version, zone, weight...).
    public var payload: [String: String]
    /// When the instance was registered, in milliseconds since 1970 (UTC).
    public var registrationTimeUTC: Int64

    /// - Parameters:
    ///   - name: the service's name.
    ///   - address: a host name or IP address.
    ///   - port: the port, if the instance has one.
    ///   - id: unique within the service; a random UUID when nil. Letters, digits and `._-` only,
    ///     since it names the node.
    ///   - payload: free-form metadata (version, zone, weight...).
    ///   - registrationTime: when the instance was registered.
    public init(
        name: String, address: String, port: Int? = nil, id: String? = nil, payload: [String: String] = [:],
        registrationTime: Date = Date()
    ) {
        self.id = id ?? UUID().uuidString.lowercased()
        self.name = name
        self.address = address
        self.port = port
        self.payload = payload
        registrationTimeUTC = Int64((registrationTime.timeIntervalSince1970 * 1000).rounded())
    }

    /// `address:port`, or the address alone.
    public var endpoint: String {
        guard let port else { return address }
        return address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
    }

    /// The node data: JSON with sorted keys.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }

    /// Reads an instance from node data.
    public init(decoding data: [UInt8]) throws {
        self = try JSONDecoder().decode(ServiceInstance.self, from: Data(data))
    }

    private enum CodingKeys: String, CodingKey {
        case id, name, address, port, payload, registrationTimeUTC
    }

    /// Lenient with what other registries (Curator) write: a null or non-string payload reads as
    /// empty, a missing registration time as 0; other keys are ignored.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        address = try container.decode(String.self, forKey: .address)
        port = try container.decodeIfPresent(Int.self, forKey: .port)
        payload = (try? container.decodeIfPresent([String: String].self, forKey: .payload)) ?? [:]
        registrationTimeUTC = try container.decodeIfPresent(Int64.self, forKey: .registrationTimeUTC) ?? 0
    }
}
