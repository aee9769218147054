// Test helpers that damage shard files the way an attacker or a bad disk would: flip a bit,
// rewrite the index or trailer with valid CRCs (so only the structure checks can catch it),
// turn a shard into a version-1 file, append a CRC-valid crafted record.
import Foundation
@testable import SharedData
import SharedSupport

enum ShardTampering {
    static func bytes(_ path: String) throws -> [UInt8] { try Array(Data(contentsOf: URL(fileURLWithPath: path))) }
    static func write(_ bytes: [UInt8], to path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

    static func u64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }

    static func put(_ value: UInt64, into bytes: inout [UInt8], at offset: Int, width: Int = 8) {
        for i in 0..<width { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }

    /// The trailer fields of a well-formed shard.
    static func trailer(_ bytes: [UInt8]) -> (indexOffset: Int, count: Int) {
        let start = bytes.count - ShardFormat.trailerSize
        return (Int(u64(bytes, at: start)), Int(u64(bytes, at: start + 8) & 0xFFFF_FFFF))
    }

    /// Recomputes the index CRC, header CRC and trailer CRC after `edit` changed the bytes
    /// (index entries, trailer fields): a file that only the structure checks can refuse.
    /// `indexOffset`/`count` override the trailer's fields; the index CRC covers the bytes
    /// between the stated index offset and the trailer when they are inside the file.
    static func resealed(_ original: [UInt8], indexOffset: UInt64? = nil, count: UInt32? = nil,
                         edit: (inout [UInt8]) -> Void = { _ in }) -> [UInt8] {
        var bytes = original
        edit(&bytes)
        let start = bytes.count - ShardFormat.trailerSize
        let old = trailer(original)
        let offset = indexOffset ?? UInt64(old.indexOffset)
        let index = offset <= UInt64(start) ? Array(bytes[Int(offset)..<start]) : []
        let sealed = ShardTrailer(indexOffset: offset, recordCount: count ?? UInt32(old.count), indexCRC: crc32Checksum(index),
                                  headerCRC: crc32Checksum(Array(bytes[0..<ShardFormat.headerSize]))).bytes
        bytes.replaceSubrange(start..., with: sealed)
        return bytes
    }

    /// The same shard as version 1 wrote it: version 1 in the header, the trailer's own CRC
    /// word reserved (0), the header CRC recomputed.
    static func versionOne(_ original: [UInt8]) -> [UInt8] {
        var bytes = original
        put(1, into: &bytes, at: 8, width: 4)
        let start = bytes.count - ShardFormat.trailerSize
        put(UInt64(crc32Checksum(Array(bytes[0..<ShardFormat.headerSize]))), into: &bytes, at: start + 16, width: 4)
        put(0, into: &bytes, at: start + 20, width: 4)
        return bytes
    }

    /// Writes `records` as a shard at `path` (the writer takes anything: the reader checks).
    @discardableResult
    static func writeShard(_ records: [ShardRecord], to path: String) throws -> ShardFileSummary {
        let writer = try ShardWriter(path: path)
        for record in records { try writer.append(record) }
        return try writer.finish()
    }

    /// A small valid raw-RGB record (8 x 6 stored, 16 x 12 original) with one polygon instance of class `classIndex`.
    static func record(id: Int = 1, classIndex: Int = 0) -> ShardRecord {
        ShardRecord(imageID: ImageID(id), fileName: "img\(id).png", originalWidth: 16, originalHeight: 12, storedWidth: 8, storedHeight: 6,
                    encoding: .rawRGB, imageBytes: [UInt8](repeating: 40, count: 8 * 6 * 3),
                    instances: [ShardInstance(annotationID: AnnotationID(id * 10), classIndex: ClassIndex(classIndex), isCrowd: false,
                                              box: BoxXYXY(x1: 1, y1: 1, x2: 5, y2: 4),
                                              segmentation: .polygons([[1, 1, 5, 1, 5, 4, 1, 4]]))])
    }
}
