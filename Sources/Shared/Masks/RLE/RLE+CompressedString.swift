// The COCO compressed RLE string (rleToString / rleFrString): each count after the second
// stored as the difference to the count two before, in 5-bit groups (LEB128-like), +48.
import SharedData

extension RLE {
    /// rleFrString: decodes the ASCII bytes of a compressed `counts` string.
    /// (Inlinable so callers in other modules get it specialised for their byte container.)
    @inlinable
    public init<Bytes: Collection>(compressedString bytes: Bytes, height: Int, width: Int) where Bytes.Element == UInt8 {
        var counts: [UInt32] = []
        let decoded = bytes.withContiguousStorageIfAvailable { RunLengthKernels.decode($0, into: &counts) }
        if decoded == nil {
            Array(bytes).withUnsafeBufferPointer { _ = RunLengthKernels.decode($0, into: &counts) }
        }
        self.init(height: height, width: width, counts: counts)
    }

    /// rleFrString from a Swift string.
    public init(compressedString string: String, height: Int, width: Int) {
        self.init(compressedString: Array(string.utf8), height: height, width: width)
    }

    /// rleToString: the compressed ASCII bytes of this RLE.
    public var compressedBytes: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(counts.count * 2)
        for index in counts.indices {
            var value = Int(counts[index])
            if index > 2 { value -= Int(counts[index - 2]) }
            var more = true
            while more {
                var c = UInt8(truncatingIfNeeded: value & 0x1F)
                value >>= 5
                more = (c & 0x10) != 0 ? value != -1 : value != 0
                if more { c |= 0x20 }
                output.append(c + 48)
            }
        }
        return output
    }

    /// rleToString as a Swift string (the `counts` of a COCO compressed RLE).
    public var compressedString: String {
        String(decoding: compressedBytes, as: UTF8.self)
    }
}
