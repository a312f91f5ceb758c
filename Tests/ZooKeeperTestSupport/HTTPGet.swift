import NIOCore
import NIOPosix

/// One HTTP/1.1 GET on a loopback port, the connection closed after it: the response's status
/// and body (for tests of `zk serve --metrics-port`).
public func httpGet(port: Int, path: String) async throws -> (status: Int, body: String) {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
    var response: [UInt8] = []
    try await channel.executeThenClose { inbound, outbound in
        try await outbound.write(
            ByteBuffer(string: "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
        for try await buffer in inbound { response += buffer.readableBytesView }
    }
    let text = String(decoding: response, as: UTF8.self)
    guard let end = text.range(of: "\r\n\r\n"),
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap({ Int($0) })
    else { throw HTTPResponseUnreadable(text: text) }
    return (status, String(text[end.upperBound...]))
}

/// What came back was not an HTTP response.
public struct HTTPResponseUnreadable: Error, CustomStringConvertible {
    public var text: String
    public var description: String { "not an HTTP response: \(text)" }
}
