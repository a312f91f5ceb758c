import NIOCore
import NIOEmbedded
import ZooKeeperProtocol

@testable import ZooKeeperServer

/// One server core on an embedded loop; each input is one connection to it. Shared by
/// `ServerFuzzTests` and the libFuzzer target in `Fuzz/` (a symbolic link there).
final class ServerFuzzHarness {
    let loop = EmbeddedEventLoop()
    let core: ServerCore
    var replies = 0
    var closedByServer = 0

    init() {
        var configuration = ZooKeeperServer.Configuration(port: 0)
        configuration.maxFrameLength = 4096
        configuration.extendedTypesEnabled = true
        configuration.superDigest = Id.digest(user: "super", password: "s").id
        configuration.maxClientConnections = 0
        // Sessions last at most 2 s (20 ticks) and containers are reaped every 100 ms, once
        // `tick()` lets the timers run: a long run keeps only the sessions of its last seconds.
        configuration.tickTime = .milliseconds(100)
        configuration.containerCheckInterval = .milliseconds(100)
        core = ServerCore(configuration: configuration, eventLoop: loop)
        core.startTimers()
    }

    /// Runs the expiry and reaper timers once (they compare against the real clock).
    func tick() {
        loop.advanceTime(by: .milliseconds(100))
    }

    /// Feeds `bytes` to a new connection in chunks of varying size; returns its output.
    @discardableResult
    func feed(_ bytes: [UInt8], chunk: Int) throws -> [UInt8] {
        let channel = EmbeddedChannel(loop: loop)
        try channel.pipeline.syncOperations.addHandler(ServerConnectionHandler(core: core))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000)).wait()
        var output: [UInt8] = []
        var offset = 0
        while offset < bytes.count, channel.isActive {
            let end = min(bytes.count, offset + chunk)
            try channel.writeInbound(ByteBuffer(bytes: bytes[offset..<end]))
            offset = end
            loop.run()
            while let reply: ByteBuffer = try channel.readOutbound() {
                replies += 1
                output += reply.readableBytesView
            }
        }
        if !channel.isActive { closedByServer += 1 }
        // Closed, not finished: finishing an embedded channel drains (and so cancels) the
        // loop's scheduled tasks, the core's timers among them.
        channel.close(promise: nil)
        loop.run()
        return output
    }
}
