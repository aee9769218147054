// Reads a shard: maps the file, checks magic, version, trailer and index, then gives random
// access to record i and a sequential scan, checking each record's CRC as it is read.
// A bad checksum is refused with a message saying how to regenerate the file.
#if canImport(Glibc)
import Glibc
#endif
import SharedSupport

public final class ShardReader: @unchecked Sendable {
    public let path: String
    private let base: UnsafeRawPointer
    private let size: Int
    private let offsets: [Int]

    /// Opens and checks the file structure (not the record checksums; `verify()` does all).
    public init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ToolError.io("cannot open shard: \(String(cString: strerror(errno)))", file: path, hint: ShardFormat.regenerateHint)
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw ToolError.io("cannot stat shard: \(String(cString: strerror(errno)))", file: path)
        }
        size = Int(info.st_size)
        guard size >= ShardFormat.headerSize + ShardFormat.trailerSize else {
            throw ToolError("not a shard: \(size) bytes is too short", file: path, hint: ShardFormat.regenerateHint)
        }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
            throw ToolError.io("cannot map shard: \(String(cString: strerror(errno)))", file: path)
        }
        base = UnsafeRawPointer(mapped)
        let bytes = UnsafeRawBufferPointer(start: base, count: size)
        do {
            offsets = try Self.readIndex(bytes, path: path)
        } catch {
            munmap(UnsafeMutableRawPointer(mutating: base), size)
            throw error
        }
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), size) }

    public var count: Int { offsets.count }
    public var byteCount: Int { size }
    private var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: size) }

    /// Record `index`, after checking its CRC.
    public func record(at index: Int) throws -> ShardRecord {
        try withPayload(at: index) { try ShardRecord.decode($0, file: path, index: index) }
    }

    /// Calls `body` with the checked payload bytes of record `index` (valid only inside).
    public func withPayload<T>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        precondition(index >= 0 && index < offsets.count, "record \(index) outside 0..<\(offsets.count)")
        var cursor = ByteCursor(bytes, offset: offsets[index])
        let length: Int, expected: UInt32
        do {
            length = Int(try cursor.u32())
            expected = try cursor.u32()
        } catch { throw damaged("record header outside the file", index: index) }
        let start = cursor.offset
        let end = index + 1 < offsets.count ? offsets[index + 1] : indexOffset
        guard start + length == end else { throw damaged("record length \(length) does not match the index", index: index) }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        let actual = crc32Checksum(payload)
        guard actual == expected else {
            throw damaged("checksum mismatch (stored \(hex(expected)), computed \(hex(actual)))", index: index)
        }
        return try body(payload)
    }

    /// Reads every record in order.
    public func forEach(_ body: (Int, ShardRecord) throws -> Void) throws {
        for index in 0..<count { try body(index, try record(at: index)) }
    }

    /// Checks every record's CRC and structure; returns the record count.
    @discardableResult
    public func verify() throws -> Int {
        for index in 0..<count { _ = try record(at: index) }
        return count
    }

    /// CRC-32 of the whole file (as the manifest lists it).
    public func fileChecksum() -> UInt32 { crc32Checksum(bytes) }

    private var indexOffset: Int { size - ShardFormat.trailerSize - offsets.count * 8 }

    private func damaged(_ message: String, index: Int) -> ToolError {
        ToolError(message, file: path, record: "record \(index)", hint: ShardFormat.regenerateHint)
    }

    private static func readIndex(_ bytes: UnsafeRawBufferPointer, path: String) throws -> [Int] {
        func fail(_ message: String) -> ToolError { ToolError(message, file: path, hint: ShardFormat.regenerateHint) }
        guard Array(bytes[0..<8]) == ShardFormat.headerMagic else { throw fail("not a shard file (bad magic number)") }
        var cursor = ByteCursor(bytes, offset: 8)
        let version = try cursor.u32()
        guard version == ShardFormat.version else {
            throw ToolError("shard format version \(version), this tool reads version \(ShardFormat.version)", file: path,
                            hint: "regenerate the shards with this version of `lvis-prep convert`")
        }
        let trailerStart = bytes.count - ShardFormat.trailerSize
        guard Array(bytes[(bytes.count - 8)...]) == ShardFormat.trailerMagic else {
            throw fail("no index trailer: the file is incomplete (an interrupted write?)")
        }
        cursor = ByteCursor(bytes, offset: trailerStart)
        let indexOffset = Int(try cursor.u64())
        let recordCount = Int(try cursor.u32())
        let indexCRC = try cursor.u32()
        let headerCRC = try cursor.u32()
        guard indexOffset >= ShardFormat.headerSize, indexOffset + recordCount * 8 == trailerStart else {
            throw fail("index position does not match the file size")
        }
        guard crc32Checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<ShardFormat.headerSize])) == headerCRC else {
            throw fail("header checksum mismatch")
        }
        let index = UnsafeRawBufferPointer(rebasing: bytes[indexOffset..<trailerStart])
        guard crc32Checksum(index) == indexCRC else { throw fail("index checksum mismatch") }
        cursor = ByteCursor(bytes, offset: indexOffset)
        var offsets: [Int] = []
        offsets.reserveCapacity(recordCount)
        var previous = ShardFormat.headerSize - 1
        for _ in 0..<recordCount {
            let offset = Int(try cursor.u64())
            guard offset > previous, offset + ShardFormat.recordPrefixSize <= indexOffset else { throw fail("index offsets out of order") }
            offsets.append(offset)
            previous = offset
        }
        if let first = offsets.first, first != ShardFormat.headerSize { throw fail("first record is not after the header") }
        return offsets
    }
}

func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}
