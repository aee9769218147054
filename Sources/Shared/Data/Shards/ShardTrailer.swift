// The last 32 bytes of a shard (docs/shard-format.md, "Shard file layout"): where the index
// is, how many records there are, and the CRCs of the index, the header and the trailer
// itself. Encoding for the writer; decoding with every field checked for the reader.
import SharedSupport

struct ShardTrailer: Equatable {
    var indexOffset: UInt64
    var recordCount: UInt32
    var indexCRC: UInt32
    var headerCRC: UInt32

    /// The 32 trailer bytes, its own CRC and the magic included.
    var bytes: [UInt8] {
        var writer = ByteWriter(reservingCapacity: ShardFormat.trailerSize)
        writer.u64(indexOffset)
        writer.u32(recordCount)
        writer.u32(indexCRC)
        writer.u32(headerCRC)
        writer.u32(crc32Checksum(writer.bytes))
        writer.raw(ShardFormat.trailerMagic)
        return writer.bytes
    }

    /// Why the trailer of a complete-looking file cannot be used.
    enum Defect: Error, Equatable {
        /// No trailer magic: the write never finished.
        case incomplete
        case checksumMismatch(stored: UInt32, computed: UInt32)
    }

    /// Reads the last `trailerSize` bytes of `file` (at least that long): magic first, then
    /// the trailer's own CRC, so no field of a damaged trailer is ever used.
    static func decode(_ file: UnsafeRawBufferPointer) throws -> ShardTrailer {
        precondition(file.count >= ShardFormat.trailerSize, "caller checks the file size")
        let start = file.count - ShardFormat.trailerSize
        let trailer = UnsafeRawBufferPointer(rebasing: file[start...])
        guard trailer.suffix(ShardFormat.trailerMagic.count).elementsEqual(ShardFormat.trailerMagic) else {
            throw Defect.incomplete
        }
        var cursor = ByteCursor(trailer)
        let indexOffset = try cursor.u64()
        let recordCount = try cursor.u32()
        let indexCRC = try cursor.u32()
        let headerCRC = try cursor.u32()
        let stored = try cursor.u32()
        let computed = crc32Checksum(UnsafeRawBufferPointer(rebasing: trailer[..<ShardFormat.trailerCheckedSize]))
        guard stored == computed else { throw Defect.checksumMismatch(stored: stored, computed: computed) }
        return ShardTrailer(indexOffset: indexOffset, recordCount: recordCount, indexCRC: indexCRC, headerCRC: headerCRC)
    }
}
