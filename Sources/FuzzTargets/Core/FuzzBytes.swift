// Reads structured values (sizes, counts, coordinates) off the front of a fuzz input, so
// the mutator's byte flips become small changes of numbers. Past the end it reads zeros.

/// A cursor over fuzz input bytes.
struct FuzzBytes {
    private let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var isAtEnd: Bool { offset >= bytes.count }

    /// The bytes not read yet.
    var rest: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[min(offset, bytes.count)...])
    }

    mutating func u8() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Little-endian 16 bits.
    mutating func u16() -> UInt16 {
        UInt16(u8()) | UInt16(u8()) << 8
    }

    /// An unsigned LEB128 varint of up to 5 groups (so any UInt32 and a little more).
    mutating func varint() -> UInt64 {
        var value: UInt64 = 0
        for group in 0..<5 {
            let byte = u8()
            value |= UInt64(byte & 0x7F) << (7 * group)
            if byte & 0x80 == 0 || isAtEnd { break }
        }
        return value
    }

    /// An image size: each side 0...`limit` (0 is a legal, awkward size).
    mutating func imageSize(limit: Int) -> (height: Int, width: Int) {
        let height = Int(u16()) % (limit + 1)
        let width = Int(u16()) % (limit + 1)
        return (height, width)
    }
}
