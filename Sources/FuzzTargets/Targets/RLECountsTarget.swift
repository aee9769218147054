// Target "rle-counts": an uncompressed RLE (`"counts": [..]` as numbers) of an image size
// taken from the input, as ground truths and results give it: checked to cover the image,
// then measured against a pixel-by-pixel count.
import SharedData
import SharedMasks

extension FuzzTarget {
    /// "rle-counts": [size][varint counts...].
    static func uncompressedRLE() -> FuzzTarget {
        FuzzTarget(name: "rle-counts", summary: "RLE(segmentation: .uncompressedRLE) on varint run lengths, sizes from the input",
                   maxLength: 1024) { bytes in
            var input = FuzzBytes(bytes)
            let (height, width) = RLEInputSize.read(&input)
            var counts: [UInt32] = []
            while !input.isAtEnd { counts.append(UInt32(truncatingIfNeeded: input.varint())) }
            return Refusal.outcome(file: nil) {
                let mask = try RLE(segmentation: .uncompressedRLE(height: height, width: width, counts: counts), height: height, width: width)
                return MaskInvariants.check(mask)
            }
        }
    }
}
