// Target "rle-polygon": polygons rasterised as `RLE(segmentation:)` does for ground truths
// and results (pycocotools' frPyObjects + merge), coordinates and image size from the
// input. The result must cover the image; small masks are checked pixel by pixel.
import SharedData
import SharedMasks

extension FuzzTarget {
    /// "rle-polygon": [size][coordinates as 16-bit values...], 0x7fff ends a polygon.
    /// Inputs are at most 192 bytes (up to ~95 coordinates): a polygon costs vertices x
    /// columns spanned, and at 512 bytes the target ran at ~800 executions/s against ~1400
    /// at 192 (same corpus, one core) with no path that needs more vertices to reach.
    static func polygonRLE() -> FuzzTarget {
        FuzzTarget(name: "rle-polygon", summary: "RLE(segmentation: .polygons): coordinates in 1/8 pixel or special values, sizes from the input",
                   maxLength: 192) { bytes in
            var input = FuzzBytes(bytes)
            let (height, width) = RLEInputSize.read(&input)
            let polygons = PolygonInput.read(&input)
            return Refusal.outcome(file: nil) {
                let mask = try RLE(segmentation: .polygons(polygons), height: height, width: width)
                guard (try? mask.checkCoversImage()) != nil else {
                    return .finding("a rasterised polygon's runs add up to \(mask.pixelCount) pixels in a \(height)x\(width) image")
                }
                return MaskInvariants.check(mask)
            }
        }
    }
}

/// Polygon coordinates from 16-bit values: most are pixels in steps of 1/8 (-4096...4096);
/// the top 16 codes are values parsers meet in hostile files, and 0x7fff starts a new polygon.
enum PolygonInput {
    static let specialValues: [Double] = [
        .nan, .infinity, -.infinity, 1e6, -1e6, 1e6 + 1, 2147483647.5, -2147483648.75,
        1e300, .greatestFiniteMagnitude, 0.5, -0.5, .leastNonzeroMagnitude, -0.0, 65536.25,
    ]
    static let endOfPolygon: UInt16 = 0x7FFF

    static func read(_ input: inout FuzzBytes) -> [[Double]] {
        var polygons: [[Double]] = [[]]
        while !input.isAtEnd {
            let code = input.u16()
            if code == endOfPolygon {
                polygons.append([])
            } else if code < endOfPolygon && code >= endOfPolygon - UInt16(specialValues.count) {
                polygons[polygons.count - 1].append(specialValues[Int(endOfPolygon - 1 - code)])
            } else {
                polygons[polygons.count - 1].append(Double(Int16(bitPattern: code)) / 8)
            }
        }
        return polygons.last?.isEmpty == true && polygons.count > 1 ? Array(polygons.dropLast()) : polygons
    }
}
