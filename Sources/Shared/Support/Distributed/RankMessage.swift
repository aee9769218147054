// What ranks send each other besides gradients (losses, LOCE's observations and memory
// pushes), as flat little-endian bytes: integers as Int64, floats and doubles by their bit
// patterns, so a value arrives with exactly the bits it left with.

public struct RankMessageWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func append(_ value: Int) { append(bits: UInt64(bitPattern: Int64(value))) }
    public mutating func append(_ value: Double) { append(bits: value.bitPattern) }

    public mutating func append(_ values: [Float]) {
        append(values.count)
        bytes.reserveCapacity(bytes.count + 4 * values.count)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
    }

    /// A length-prefixed piece (another writer's bytes).
    public mutating func append(bytes piece: [UInt8]) {
        append(piece.count)
        bytes.append(contentsOf: piece)
    }

    private mutating func append(bits: UInt64) { withUnsafeBytes(of: bits.littleEndian) { bytes.append(contentsOf: $0) } }
}

/// Reads what a `RankMessageWriter` wrote, in the same order (a malformed message is a
/// programming error: both sides are this code).
public struct RankMessageReader {
    private let bytes: [UInt8]
    private var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func int() -> Int { Int(Int64(bitPattern: bits64())) }
    public mutating func double() -> Double { Double(bitPattern: bits64()) }

    public mutating func floats() -> [Float] {
        let count = int()
        precondition(count >= 0 && offset + 4 * count <= bytes.count, "rank message: float array past the end")
        let values = (0..<count).map { index -> Float in
            let start = offset + 4 * index
            return Float(bitPattern: UInt32(littleEndian: bytes[start..<(start + 4)].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }))
        }
        offset += 4 * count
        return values
    }

    public mutating func piece() -> [UInt8] {
        let count = int()
        precondition(count >= 0 && offset + count <= bytes.count, "rank message: piece past the end")
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    private mutating func bits64() -> UInt64 {
        precondition(offset + 8 <= bytes.count, "rank message: read past the end")
        defer { offset += 8 }
        return UInt64(littleEndian: bytes[offset..<(offset + 8)].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
    }
}
