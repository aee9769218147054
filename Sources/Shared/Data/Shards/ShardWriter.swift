// Writes one shard file: header, length+CRC-prefixed records, offset index, trailer; under a
// temporary name that is renamed into place only by `finish()`, so an interrupted run never
// leaves a complete-looking shard.
import SharedSupport

/// What a finished shard holds, for the manifest.
public struct ShardFileSummary: Codable, Equatable, Sendable {
    public var file: String
    public var records: Int
    public var bytes: Int
    /// CRC-32 of the whole file.
    public var crc32: UInt32
}

public final class ShardWriter {
    public let path: String
    private let output: AtomicFileWriter
    private var offsets: [UInt64] = []
    private var position: UInt64 = 0
    private var fileCRC: UInt32 = 0
    private var finished = false

    public init(path: String) throws {
        self.path = path
        output = try AtomicFileWriter(path: path)
        try emit(Self.header)
    }

    /// The 16 header bytes: magic, version, reserved 0.
    static var header: [UInt8] {
        var header = ByteWriter(reservingCapacity: ShardFormat.headerSize)
        header.raw(ShardFormat.headerMagic)
        header.u32(ShardFormat.version)
        header.u32(0)
        return header.bytes
    }

    public var recordCount: Int { offsets.count }

    /// Appends one record.
    public func append(_ record: ShardRecord) throws {
        var payload = ByteWriter(reservingCapacity: record.imageBytes.count + 256)
        record.encode(into: &payload)
        try append(payload: payload.bytes)
    }

    /// Appends an already encoded payload (its CRC is computed here).
    public func append(payload: [UInt8]) throws {
        precondition(!finished, "ShardWriter used after finish()")
        precondition(payload.count <= Int(UInt32.max), "record payload over 4 GiB")
        precondition(offsets.count < Int(UInt32.max), "over 2^32 records in one shard")
        offsets.append(position)
        var prefix = ByteWriter(reservingCapacity: 8)
        prefix.u32(UInt32(payload.count))
        prefix.u32(crc32Checksum(payload))
        try emit(prefix.bytes)
        try emit(payload)
    }

    /// Writes the index and trailer and renames the file into place.
    @discardableResult
    public func finish() throws -> ShardFileSummary {
        precondition(!finished, "ShardWriter finished twice")
        finished = true
        let indexOffset = position
        var index = ByteWriter(reservingCapacity: offsets.count * 8)
        for offset in offsets { index.u64(offset) }
        let trailer = ShardTrailer(indexOffset: indexOffset, recordCount: UInt32(offsets.count),
                                   indexCRC: crc32Checksum(index.bytes), headerCRC: crc32Checksum(Self.header))
        try emit(index.bytes)
        try emit(trailer.bytes)
        try output.commit()
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return ShardFileSummary(file: name, records: offsets.count, bytes: Int(position), crc32: fileCRC)
    }

    private func emit(_ bytes: [UInt8]) throws {
        try output.write(bytes)
        fileCRC = bytes.withUnsafeBytes { crc32Checksum($0, initial: fileCRC) }
        position += UInt64(bytes.count)
    }
}
