// CRC-32 (zlib's) over byte ranges: shard records and files, and checkpoint data.
import CNative

/// CRC-32 (IEEE, as zlib, PNG and gzip use) of a byte range, continuing from `initial`.
public func crc32Checksum(_ bytes: UnsafeRawBufferPointer, initial: UInt32 = 0) -> UInt32 {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return initial }
    var crc = UInt(initial)
    var pointer = base.assumingMemoryBound(to: UInt8.self)
    var left = bytes.count
    while left > 0 {
        let chunk = min(left, Int(UInt32.max >> 1))
        crc = CNative.crc32(crc, pointer, UInt32(chunk))
        pointer += chunk
        left -= chunk
    }
    return UInt32(truncatingIfNeeded: crc)
}

public func crc32Checksum(_ bytes: [UInt8]) -> UInt32 {
    bytes.withUnsafeBytes { crc32Checksum($0) }
}
