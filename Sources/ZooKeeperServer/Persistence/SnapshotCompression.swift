import CZlib
import NIOCore

/// How a snapshot file is compressed, as `zookeeper.snapshot.compression.method` chooses in
/// Apache ZooKeeper: not at all, gzip (`.gz`) or snappy-java's stream format (`.snappy`).
public enum SnapshotCompression: String, Hashable, Sendable, CaseIterable {
    case none
    case gzip = "gz"
    case snappy

    /// What Apache ZooKeeper appends to the snapshot's name.
    public var fileExtension: String { self == .none ? "" : "." + rawValue }

    /// The compression a snapshot's name says it has (`SnapStream.getStreamMode`).
    public init(fileName: String) {
        if fileName.hasSuffix(".gz") {
            self = .gzip
        } else if fileName.hasSuffix(".snappy") {
            self = .snappy
        } else {
            self = .none
        }
    }

    /// The compression of a snapshot's bytes, by their first bytes (the gzip or snappy-java
    /// magic), else by the name.
    public init(detecting bytes: ByteBuffer, fileName: String) {
        if bytes.readableBytesView.starts(with: [0x1F, 0x8B]) {
            self = .gzip
        } else if bytes.readableBytesView.starts(with: SnappyStream.magic) {
            self = .snappy
        } else if bytes.readableBytesView.starts(with: [0x5A, 0x4B, 0x53, 0x4E]) {
            self = .none
        } else {
            self.init(fileName: fileName)
        }
    }

    /// Uncompresses a snapshot file's bytes.
    public func decompress(_ bytes: ByteBuffer, file: String = "") throws(DataFileError) -> ByteBuffer {
        switch self {
        case .none: bytes
        case .gzip: try Gzip.decompress(bytes, file: file)
        case .snappy: try SnappyStream.decompress(bytes, file: file)
        }
    }

    /// Compresses a snapshot's bytes for a file of this kind.
    public func compress(_ bytes: ByteBuffer) -> ByteBuffer {
        switch self {
        case .none: bytes
        case .gzip: Gzip.compress(bytes)
        case .snappy: SnappyStream.compress(bytes)
        }
    }
}

/// gzip through zlib, as `java.util.zip.GZIPInputStream` and `GZIPOutputStream` read and write it.
enum Gzip {
    static func decompress(_ input: ByteBuffer, file: String) throws(DataFileError) -> ByteBuffer {
        var stream = z_stream()
        guard czlib_inflate_init_gzip(&stream) == Z_OK else { throw DataFileError(file, "cannot start zlib") }
        defer { inflateEnd(&stream) }
        var input = input
        var output = ByteBuffer()
        while true {
            switch step(&stream, &input, &output, { inflate(&$0, Z_NO_FLUSH) }) {
            case Z_OK:
                continue
            case Z_STREAM_END:
                // Concatenated members follow, as GZIPInputStream reads them.
                guard input.readableBytes > 0 else { return output }
                inflateReset(&stream)
            case Z_BUF_ERROR where input.readableBytes == 0:
                throw DataFileError(file, "truncated gzip data")
            default:
                throw DataFileError(file, "corrupt gzip data")
            }
        }
    }

    static func compress(_ input: ByteBuffer) -> ByteBuffer {
        var stream = z_stream()
        precondition(czlib_deflate_init_gzip(&stream, Z_DEFAULT_COMPRESSION) == Z_OK, "zlib cannot start")
        defer { deflateEnd(&stream) }
        var input = input
        var output = ByteBuffer()
        while step(&stream, &input, &output, { deflate(&$0, Z_FINISH) }) != Z_STREAM_END {}
        return output
    }

    /// One call of `operation` (inflate or deflate) from what is left of `input` into 64 KiB
    /// more of `output`, moving both buffers' indices past what it consumed and produced.
    private static func step(
        _ stream: inout z_stream, _ input: inout ByteBuffer, _ output: inout ByteBuffer,
        _ operation: (inout z_stream) -> Int32
    ) -> Int32 {
        output.reserveCapacity(minimumWritableBytes: 1 << 16)
        let status: Int32 = input.withUnsafeReadableBytes { source in
            stream.next_in = source.baseAddress.map {
                UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self))
            }
            stream.avail_in = uInt(source.count)
            return output.withUnsafeMutableWritableBytes { target in
                stream.next_out = target.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(target.count)
                return operation(&stream)
            }
        }
        input.moveReaderIndex(forwardBy: input.readableBytes - Int(stream.avail_in))
        output.moveWriterIndex(forwardBy: output.writableBytes - Int(stream.avail_out))
        return status
    }
}
