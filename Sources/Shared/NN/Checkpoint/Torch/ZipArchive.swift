// The zip container of torch.save (PyTorch 1.6 and later): the end-of-central-directory
// record (zip64 too, for archives over 4 GiB), the central directory, and each entry's data
// found through its local header: stored entries are slices of the file, deflated ones are
// inflated into a buffer of the announced size. Every offset and size is checked against the
// file before use, and each entry's CRC-32 is checked when its data is taken.
import SharedSupport

/// One file of a zip archive, as the central directory describes it.
struct ZipEntry {
    let name: String
    let flags: UInt16
    let method: UInt16
    let crc: UInt32
    let compressedSize: Int
    let size: Int
    let localHeaderOffset: Int
}

struct ZipArchive {
    let file: TorchByteRange
    let entries: [ZipEntry]
    private let indexByName: [String: Int]

    subscript(name: String) -> ZipEntry? { indexByName[name].map { entries[$0] } }

    /// Reads the directory of the archive `file`.
    init(_ file: TorchByteRange) throws {
        self.file = file
        let directory = try Self.endOfDirectory(file)
        var entries: [ZipEntry] = []
        var indexByName: [String: Int] = [:]
        var offset = directory.offset
        let end = directory.offset + directory.size
        for number in 0..<directory.count {
            let entry = try Self.centralEntry(file, at: &offset, end: end, number: number)
            guard indexByName[entry.name] == nil else { throw ToolError("the zip archive holds \(entry.name) twice") }
            indexByName[entry.name] = entries.count
            entries.append(entry)
        }
        self.entries = entries
        self.indexByName = indexByName
    }

    /// The bytes of `entry`: a slice of the file when stored, a new buffer when deflated;
    /// its CRC-32 checked.
    func data(of entry: ZipEntry) throws -> TorchByteRange {
        let at = entry.localHeaderOffset
        guard at <= file.count - 30, Self.uint32(file, at) == 0x0403_4B50 else {
            throw ToolError("the local header of zip entry \(entry.name) is missing (a damaged or truncated file)")
        }
        let nameLength = Int(Self.uint16(file, at + 26)), extraLength = Int(Self.uint16(file, at + 28))
        let start = at + 30 + nameLength + extraLength
        guard entry.compressedSize <= file.count - start else {
            throw ToolError("zip entry \(entry.name) ends past the end of the file (a truncated file?)")
        }
        guard entry.flags & 1 == 0 else { throw ToolError("zip entry \(entry.name) is encrypted") }
        let stored = file.slice(start, entry.compressedSize)
        let data: TorchByteRange
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.size else {
                throw ToolError("stored zip entry \(entry.name) has \(entry.compressedSize) bytes and announces \(entry.size)")
            }
            data = stored
        case 8:
            // Deflate expands at most ~1032 times: a larger announced size is a damaged header,
            // refused before it is allocated.
            guard entry.size / 1032 <= entry.compressedSize + 1 else {
                throw ToolError("zip entry \(entry.name) announces \(entry.size) bytes from \(entry.compressedSize) deflated bytes, "
                                + "more than deflate can hold")
            }
            do {
                data = try TorchBytes.allocate(count: entry.size) { try inflateRawDeflate(stored.raw, into: $0) }.all
            } catch var error as ToolError {
                error.message = "zip entry \(entry.name): " + error.message
                throw error
            }
        default:
            throw ToolError("zip entry \(entry.name) uses compression method \(entry.method); only stored (0) and deflate (8) are read")
        }
        let crc = data.withBytes { crc32Checksum($0) }
        guard crc == entry.crc else {
            throw ToolError("zip entry \(entry.name) does not match its CRC-32 (recorded \(String(entry.crc, radix: 16)), "
                            + "computed \(String(crc, radix: 16))): the file is damaged")
        }
        return data
    }

    // MARK: Directory records

    /// Where the central directory is and how many entries it has: the end record (its
    /// comment must end the file), or the zip64 end record its locator points to.
    private static func endOfDirectory(_ file: TorchByteRange) throws -> (offset: Int, size: Int, count: Int) {
        guard file.count >= 22 else { throw ToolError("a zip archive of \(file.count) bytes is too short (a truncated file?)") }
        var at = file.count - 22
        let lowest = max(0, file.count - 22 - 65_535)
        while at >= lowest {
            if uint32(file, at) == 0x0605_4B50, Int(uint16(file, at + 20)) == file.count - at - 22 { break }
            at -= 1
        }
        guard at >= lowest else {
            throw ToolError("no end of central directory: a truncated or damaged zip archive")
        }
        guard uint16(file, at + 4) == 0, uint16(file, at + 6) == 0 else { throw ToolError("a zip archive split over several disks") }
        var count = Int(uint16(file, at + 10))
        var size = Int(uint32(file, at + 12)), offset = Int(uint32(file, at + 16))
        var directoryEnd = at
        if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            // zip64: a locator just before the end record names the zip64 end record.
            guard at >= 20 + 56, uint32(file, at - 20) == 0x0706_4B50 else {
                throw ToolError("a zip64 archive without its zip64 end-of-directory locator")
            }
            let record = uint64(file, at - 20 + 8)
            guard record <= UInt64(at - 20 - 56), uint32(file, Int(record)) == 0x0606_4B50 else {
                throw ToolError("the zip64 end-of-directory record is missing or outside the file")
            }
            let base = Int(record)
            let entries = uint64(file, base + 32), bytes = uint64(file, base + 40), start = uint64(file, base + 48)
            guard entries <= UInt64(file.count), bytes <= UInt64(file.count), start <= UInt64(file.count) else {
                throw ToolError("the zip64 end-of-directory record holds sizes larger than the file")
            }
            count = Int(entries)
            size = Int(bytes)
            offset = Int(start)
            directoryEnd = base
        }
        guard offset <= directoryEnd, size <= directoryEnd - offset else {
            throw ToolError("the central directory (\(size) bytes at \(offset)) is not inside the file (a truncated file?)")
        }
        guard count <= size / 46 else { throw ToolError("the central directory cannot hold \(count) entries in \(size) bytes") }
        return (offset, size, count)
    }

    /// The central directory record at `offset` (moved past it).
    private static func centralEntry(_ file: TorchByteRange, at offset: inout Int, end: Int, number: Int) throws -> ZipEntry {
        let at = offset
        guard at <= end - 46, uint32(file, at) == 0x0201_4B50 else {
            throw ToolError("central directory record \(number) is damaged")
        }
        let nameLength = Int(uint16(file, at + 28)), extraLength = Int(uint16(file, at + 30)), commentLength = Int(uint16(file, at + 32))
        let recordEnd = at + 46 + nameLength + extraLength + commentLength
        guard recordEnd <= end else { throw ToolError("central directory record \(number) runs past the directory") }
        guard let name = file.slice(at + 46, nameLength).withBytes({ String(validating: $0, as: UTF8.self) }) else {
            throw ToolError("the name of zip entry \(number) is not UTF-8")
        }
        // size, compressed size, local header offset; the zip64 extra field (id 1) holds the
        // 64-bit values of those set to 0xFFFFFFFF, in this order.
        var values = [UInt64(uint32(file, at + 24)), UInt64(uint32(file, at + 20)), UInt64(uint32(file, at + 42))]
        var extra = at + 46 + nameLength
        let extraEnd = extra + extraLength
        while extra <= extraEnd - 4 {
            let id = uint16(file, extra), length = Int(uint16(file, extra + 2))
            guard length <= extraEnd - extra - 4 else { throw ToolError("zip entry \(name) has a damaged extra field") }
            if id == 1 {
                var field = extra + 4
                let fieldEnd = field + length
                for index in values.indices where values[index] == 0xFFFF_FFFF {
                    guard field <= fieldEnd - 8 else { throw ToolError("zip entry \(name) has a short zip64 extra field") }
                    values[index] = uint64(file, field)
                    field += 8
                }
            }
            extra += 4 + length
        }
        let (size, compressed, local) = (values[0], values[1], values[2])
        guard size <= UInt64(Int.max), compressed <= UInt64(file.count), local <= UInt64(file.count) else {
            throw ToolError("zip entry \(name) has sizes or an offset beyond the file")
        }
        offset = recordEnd
        return ZipEntry(name: name, flags: uint16(file, at + 8), method: uint16(file, at + 10), crc: uint32(file, at + 16),
                        compressedSize: Int(compressed), size: Int(size), localHeaderOffset: Int(local))
    }

    // Little-endian fields (the callers keep the reads inside `file`).
    static func uint16(_ file: TorchByteRange, _ at: Int) -> UInt16 {
        UInt16(littleEndian: file.raw.loadUnaligned(fromByteOffset: at, as: UInt16.self))
    }

    static func uint32(_ file: TorchByteRange, _ at: Int) -> UInt32 {
        UInt32(littleEndian: file.raw.loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }

    static func uint64(_ file: TorchByteRange, _ at: Int) -> UInt64 {
        UInt64(littleEndian: file.raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))
    }
}
