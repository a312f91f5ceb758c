@testable import ZooKeeperServer

/// One server core for the whole run.
nonisolated(unsafe) private let harness = ServerFuzzHarness()
nonisolated(unsafe) private var inputs = 0

/// One input: the bytes a client sends on one connection.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    // Whole, then (for short inputs) byte by byte: both paths through the frame decoder.
    _ = try? harness.feed(bytes, chunk: max(1, bytes.count))
    if bytes.count <= 256 { _ = try? harness.feed(bytes, chunk: 1) }
    precondition(harness.core.connections.isEmpty, "a closed connection left state behind")
    inputs += 1
    if inputs % 200 == 0 { harness.tick() }
    return 0
}

/// libFuzzer's driver, for programs with a main of their own.
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// The entry point under the name SwiftPM links as `main`. libFuzzer brings a `main` too (the
/// build allows the duplicate): whichever the linker keeps runs the same driver.
@_cdecl("ServerFuzzer_main")
func serverFuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return runDriver(&argc, &argv) { data, size in fuzzOne(data, size) }
}
