import NIOCore

/// A request record with the opcode it travels under and the record its successful reply carries.
public protocol ZooKeeperRequest: JuteRecord {
    /// The record of a successful reply's body.
    associatedtype Response: JuteRecord
    /// The opcode written in the request header.
    static var opCode: OpCode { get }
}

extension ZooKeeperRequest {
    /// The opcode of this request.
    public var opCode: OpCode { Self.opCode }
}
