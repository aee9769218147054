// Little-endian byte encoding for the shard format: an appending writer and a bounds-checked
// cursor that throws on truncated data (never traps on a bad file). CRC-32: Support/Files/CRC32.swift.
import SharedSupport

/// Appends little-endian values to a byte array.
public struct ByteWriter {
    public private(set) var bytes: [UInt8] = []

    public init(reservingCapacity capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    public mutating func u8(_ value: UInt8) { bytes.append(value) }
    public mutating func u16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func i64(_ value: Int64) { u64(UInt64(bitPattern: value)) }
    public mutating func f32(_ value: Float) { u32(value.bitPattern) }
    public mutating func f64(_ value: Double) { u64(value.bitPattern) }
    public mutating func raw(_ data: [UInt8]) { bytes.append(contentsOf: data) }
    public mutating func raw(_ data: ArraySlice<UInt8>) { bytes.append(contentsOf: data) }
    /// u32 length, then the UTF-8 bytes.
    public mutating func string(_ text: String) {
        let utf8 = Array(text.utf8)
        u32(UInt32(utf8.count))
        raw(utf8)
    }
}

/// Reads little-endian values from a byte range; every read checks the bounds.
public struct ByteCursor {
    public let bytes: UnsafeRawBufferPointer
    public private(set) var offset: Int

    public init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var remaining: Int { bytes.count - offset }

    /// Thrown when a read runs past the end; the caller adds the file and record.
    public struct Truncated: Error { public let needed: Int; public let offset: Int }

    @inline(__always) mutating func take(_ count: Int) throws -> Int {
        guard count >= 0, count <= remaining else { throw Truncated(needed: count, offset: offset) }
        let start = offset
        offset += count
        return start
    }

    public mutating func u8() throws -> UInt8 { bytes[try take(1)] }
    public mutating func u16() throws -> UInt16 { UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(2), as: UInt16.self)) }
    public mutating func u32() throws -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(4), as: UInt32.self)) }
    public mutating func u64() throws -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(8), as: UInt64.self)) }
    public mutating func i64() throws -> Int64 { Int64(bitPattern: try u64()) }
    public mutating func f32() throws -> Float { Float(bitPattern: try u32()) }
    public mutating func f64() throws -> Double { Double(bitPattern: try u64()) }

    public mutating func raw(_ count: Int) throws -> [UInt8] {
        let start = try take(count)
        return Array(bytes[start..<start + count])
    }

    /// A count that must fit in what is left (`elementSize` bytes each), so a corrupt
    /// count cannot make us allocate gigabytes.
    public mutating func count(elementSize: Int) throws -> Int {
        let value = Int(try u32())
        guard value * max(1, elementSize) <= remaining else { throw Truncated(needed: value * elementSize, offset: offset) }
        return value
    }

    public mutating func string() throws -> String {
        let length = try count(elementSize: 1)
        let start = try take(length)
        return String(decoding: bytes[start..<start + length], as: UTF8.self)
    }
}

