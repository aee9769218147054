// Target "rle-string": a COCO compressed RLE `counts` string of an image size taken from the
// input, as `RLE(segmentation:)` reads results and ground truths: decoded, checked to cover
// the image, then measured (area, box, IoU, merge) against a pixel-by-pixel count.
import SharedData
import SharedMasks

extension FuzzTarget {
    /// "rle-string": [size][counts string bytes...].
    static func compressedRLE() -> FuzzTarget {
        FuzzTarget(name: "rle-string", summary: "RLE(segmentation: .compressedRLE) on a string of any bytes, sizes from the input",
                   maxLength: 1024) { bytes in
            var input = FuzzBytes(bytes)
            let (height, width) = RLEInputSize.read(&input)
            let counts = Array(input.rest)
            return Refusal.outcome(file: nil) {
                let mask = try RLE(segmentation: .compressedRLE(height: height, width: width, counts: counts), height: height, width: width)
                return MaskInvariants.check(mask)
            }
        }
    }
}

/// The image size at the front of an RLE target's input: one byte picks the regime, small
/// (each side 0...256, masks decoded and checked pixel by pixel) or large (each side a
/// varint up to 2^35, where 32-bit pixel counts overflow; only the run arithmetic runs).
enum RLEInputSize {
    static func read(_ input: inout FuzzBytes) -> (height: Int, width: Int) {
        if input.u8() & 1 == 0 { return input.imageSize(limit: MaskInvariants.decodedSideLimit) }
        return (Int(input.varint()), Int(input.varint()))
    }
}
