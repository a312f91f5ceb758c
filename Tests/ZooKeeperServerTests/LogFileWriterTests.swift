import Foundation
import NIOCore
import Testing
import ZooKeeperProtocol

@testable import ZooKeeperServer

/// The log being written: records go into zeros already on disk (the file does not change size
/// while they fit), the file grows by as much again when they do not, the zeros after the last
/// record read as the end of the log, and closing cuts them off.
@Suite struct LogFileWriterTests {
    static func records(_ zxids: ClosedRange<Int64>, size: Int) -> (ByteBuffer, [TxnLogRecord]) {
        let records = zxids.map { zxid in
            TxnLogRecord(
                session: 1, cxid: Int32(zxid), zxid: zxid, time: 1_700_000_000_000,
                transaction: LoggedTransaction(
                    type: .setData,
                    body: .setData(
                        path: "/n\(zxid)", data: [UInt8](repeating: UInt8(zxid & 0x7F), count: size), version: 1)))
        }
        var buffer = ByteBuffer()
        for record in records { record.encode(into: &buffer) }
        return (buffer, records)
    }

    static func size(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as! NSNumber).intValue
    }

    static func read(_ path: String) throws -> TxnLogFile {
        try TxnLogFile(bytes: DataDirectory.readFile(path), file: path)
    }

    @Test func recordsFillTheZerosBeforeTheFileGrowsAndClosingCutsTheRest() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("zk-log-\(UUID().uuidString)").path
        defer { unlink(path) }
        var log = try LogFileWriter(path: path, preallocating: 100_000)
        // Rounded up to whole pages.
        #expect(try Self.size(path) == 102_400)
        #expect(log.end == DataFileHeader.length)
        var expected: [TxnLogRecord] = []
        var zxid: Int64 = 1
        /// Writes `count` records of `size` bytes of data in one batch; returns the file's size.
        func writeBatch(size: Int = 1000, count: Int64 = 10) throws -> Int {
            let (batch, records) = Self.records(zxid...(zxid + count - 1), size: size)
            try log.write(batch)
            expected += records
            zxid += count
            return try Self.size(path)
        }
        // Nine batches fit in the space given.
        for _ in 0..<9 {
            #expect(try writeBatch() == 102_400)
            try log.sync()
            let file = try Self.read(path)
            #expect(file.records.map(\.record) == expected)
            #expect(file.end == .clean)
            #expect(file.goodLength == log.end)
        }
        // The next do not: the file doubles, then doubles again.
        #expect(try writeBatch() == 204_800)
        for _ in 0..<10 { _ = try writeBatch() }
        #expect(try Self.size(path) == 409_600)
        // A batch larger than the file grows by is given all the room it needs.
        #expect(try writeBatch(size: 400_000, count: 3) >= log.end)
        try log.sync()
        let end = log.end
        log.close()
        #expect(try Self.size(path) == end)
        let file = try Self.read(path)
        #expect(file.records.map(\.record) == expected)
        #expect(file.end == .clean)
    }

    @Test func aLogIsGivenAtLeastTheLeastPreallocation() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("zk-log-\(UUID().uuidString)").path
        defer { unlink(path) }
        let log = try LogFileWriter(path: path, preallocating: 0)
        #expect(try Self.size(path) == LogFileWriter.minimumPreallocation)
        let file = try Self.read(path)
        #expect(file.records.isEmpty && file.end == .clean)
        log.close()
        #expect(try Self.size(path) == DataFileHeader.length)
    }

    @Test func aLogThatCannotBeCreatedIsAnError() {
        #expect(throws: DataDirectoryError.self) {
            _ = try LogFileWriter(path: "/nonexistent-directory/log.1", preallocating: 0)
        }
    }
}
