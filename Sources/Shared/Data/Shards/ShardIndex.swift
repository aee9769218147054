// The structure of a mapped shard file before any record is read (docs/shard-format.md):
// header magic and version, trailer (its own CRC), header and index CRCs, and the record
// offsets. Every offset from the file is checked against the file size in 64-bit arithmetic
// that cannot overflow, so a crafted index (an entry >= 2^63, say) is refused, never trapped on.
import SharedSupport

struct ShardIndex: Equatable {
    /// File offset of each record's length field, strictly increasing, the first right after the header.
    var offsets: [Int]
    /// Where the index starts (= where the last record ends).
    var indexOffset: Int

    /// Where record `index` ends: the next record's offset, or the index.
    func end(ofRecord index: Int) -> Int { index + 1 < offsets.count ? offsets[index + 1] : indexOffset }

    /// Checks `file` (the whole shard at `path`) and reads its index. Throws `ToolError`
    /// naming `path`: "re-convert" for another format version, "damaged" for the rest.
    static func read(_ file: UnsafeRawBufferPointer, path: String) throws -> ShardIndex {
        func damaged(_ message: String) -> ToolError { ToolError(message, file: path, hint: ShardFormat.regenerateHint) }
        let size = file.count
        guard size >= ShardFormat.headerSize + ShardFormat.trailerSize else {
            throw damaged("not a shard: \(size) bytes is too short")
        }
        guard file.prefix(ShardFormat.headerMagic.count).elementsEqual(ShardFormat.headerMagic) else {
            throw damaged("not a shard file (bad magic number)")
        }
        let version = UInt32(littleEndian: file.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        guard version == ShardFormat.version else {
            let age = version < ShardFormat.version ? "made by an older lvis-prep" : "damaged, or made by a newer lvis-prep"
            throw ToolError("shard format version \(version) (\(age)); this lvis-prep reads version \(ShardFormat.version)",
                            file: path, hint: ShardFormat.reconvertHint)
        }
        let trailer: ShardTrailer
        do {
            trailer = try ShardTrailer.decode(file)
        } catch ShardTrailer.Defect.incomplete {
            throw damaged("no index trailer: the file is incomplete (an interrupted write?)")
        } catch ShardTrailer.Defect.checksumMismatch(let stored, let computed) {
            throw damaged("trailer checksum mismatch (stored \(hex(stored)), computed \(hex(computed)))")
        } catch {
            throw damaged("unreadable trailer")
        }
        let header = UnsafeRawBufferPointer(rebasing: file[..<ShardFormat.headerSize])
        guard crc32Checksum(header) == trailer.headerCRC else { throw damaged("header checksum mismatch") }

        // indexOffset + 8 * recordCount must be exactly where the trailer starts.
        let trailerStart = UInt64(size - ShardFormat.trailerSize)
        let indexBytes = UInt64(trailer.recordCount) * 8
        guard trailer.indexOffset >= UInt64(ShardFormat.headerSize), trailer.indexOffset <= trailerStart,
              trailerStart - trailer.indexOffset == indexBytes else {
            throw damaged("index position \(trailer.indexOffset) and record count \(trailer.recordCount) do not match the file size \(size)")
        }
        let indexOffset = Int(trailer.indexOffset)  // <= the file size, so it fits
        let index = UnsafeRawBufferPointer(rebasing: file[indexOffset..<Int(trailerStart)])
        guard crc32Checksum(index) == trailer.indexCRC else { throw damaged("index checksum mismatch") }

        let count = Int(trailer.recordCount)
        if count == 0 && indexOffset != ShardFormat.headerSize {
            throw damaged("no records, yet \(indexOffset - ShardFormat.headerSize) bytes between the header and the index")
        }
        var offsets: [Int] = []
        offsets.reserveCapacity(count)
        // Each record needs at least its 8-byte prefix before the next one (or the index).
        var lowest = UInt64(ShardFormat.headerSize)
        for entry in 0..<count {
            let offset = UInt64(littleEndian: index.loadUnaligned(fromByteOffset: entry * 8, as: UInt64.self))
            if entry == 0 && offset != UInt64(ShardFormat.headerSize) {
                throw damaged("index entry 0 is \(offset), not \(ShardFormat.headerSize) (right after the header)")
            }
            guard offset >= lowest, offset <= trailer.indexOffset - UInt64(ShardFormat.recordPrefixSize) else {
                throw damaged("index entry \(entry) (offset \(offset)) is out of order or outside the records (\(ShardFormat.headerSize)..<\(indexOffset))")
            }
            offsets.append(Int(offset))  // < indexOffset, so it fits
            lowest = offset + UInt64(ShardFormat.recordPrefixSize)
        }
        return ShardIndex(offsets: offsets, indexOffset: indexOffset)
    }
}

func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}
