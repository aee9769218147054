// Reads a shard: maps the file, checks its structure (ShardIndex), then gives random access
// to record i and a sequential scan, checking each record's CRC and fields as it is read.
// A bad checksum or field is refused with a message naming the file and the record.
#if canImport(Glibc)
import Glibc
#endif
import SharedSupport

public final class ShardReader: @unchecked Sendable {
    public let path: String
    /// The size of the category table the class indices refer to; nil leaves them unchecked
    /// (a reader without a manifest). Every other field is always checked.
    public let categoryCount: Int?
    /// How large a record's image may be (the folder's convert settings); nil leaves only the
    /// format's limits (a reader without settings).
    public let imageLimit: StoredImageLimit?
    private let base: UnsafeRawPointer
    private let size: Int
    private let index: ShardIndex

    /// Opens and checks the file structure (not the records; `verify()` reads them all).
    public init(path: String, categoryCount: Int? = nil, imageLimit: StoredImageLimit? = nil) throws {
        self.path = path
        self.categoryCount = categoryCount
        self.imageLimit = imageLimit
        // O_NONBLOCK: a FIFO in place of a shard must not block the open.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            throw ToolError.io("cannot open shard: \(String(cString: strerror(errno)))", file: path, hint: ShardFormat.regenerateHint)
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw ToolError.io("cannot stat shard: \(String(cString: strerror(errno)))", file: path)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw ToolError("not a shard: not a regular file", file: path, hint: ShardFormat.regenerateHint)
        }
        size = Int(info.st_size)
        guard size >= ShardFormat.headerSize + ShardFormat.trailerSize else {
            throw ToolError("not a shard: \(size) bytes is too short", file: path, hint: ShardFormat.regenerateHint)
        }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
            throw ToolError.io("cannot map shard: \(String(cString: strerror(errno)))", file: path)
        }
        base = UnsafeRawPointer(mapped)
        do {
            index = try ShardIndex.read(UnsafeRawBufferPointer(start: base, count: size), path: path)
        } catch {
            munmap(UnsafeMutableRawPointer(mutating: base), size)
            throw error
        }
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), size) }

    public var count: Int { index.offsets.count }
    public var byteCount: Int { size }
    private var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: size) }

    /// Record `index`, after checking its CRC and its fields (`ShardRecord.validate`, sizes
    /// against `imageLimit` included), before any of its pixels is decoded.
    public func record(at index: Int) throws -> ShardRecord {
        let record = try withPayload(at: index) { try ShardRecord.decode($0, file: path, index: index) }
        do {
            try record.validate(categoryCount: categoryCount, imageLimit: imageLimit)
        } catch let problem as ShardRecord.Problem {
            throw ToolError(problem.message, file: path, record: "record \(index) (image id \(record.imageID.rawValue))",
                            hint: ShardFormat.regenerateHint)
        }
        return record
    }

    /// Calls `body` with the checked payload bytes of record `index` (valid only inside).
    public func withPayload<T>(at index: Int, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        precondition(index >= 0 && index < count, "record \(index) outside 0..<\(count)")
        let start = self.index.offsets[index] + ShardFormat.recordPrefixSize
        let end = self.index.end(ofRecord: index)
        // ShardIndex guarantees start <= end <= the file size.
        let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: start - 8, as: UInt32.self)))
        let expected = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: start - 4, as: UInt32.self))
        guard length == end - start else {
            throw damaged("record length \(length) does not match the index (\(end - start) bytes to the next entry)", index: index)
        }
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

    /// Checks every record's CRC, structure and fields; returns the record count.
    @discardableResult
    public func verify() throws -> Int {
        for index in 0..<count { _ = try record(at: index) }
        return count
    }

    /// CRC-32 of the whole file (as the manifest lists it).
    public func fileChecksum() -> UInt32 { crc32Checksum(bytes) }

    private func damaged(_ message: String, index: Int) -> ToolError {
        ToolError(message, file: path, record: "record \(index)", hint: ShardFormat.regenerateHint)
    }
}
