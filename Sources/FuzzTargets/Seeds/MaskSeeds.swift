// Seeds of the RLE targets: [regime byte][height][width][payload], small regime, for an
// empty, a full, a box and a polygon mask, and a large-regime zero-area image.
import SharedData
import SharedMasks

enum MaskSeeds {
    /// Masks of a few sizes, including 0 x 0 and 1 x 1.
    static let masks: [(name: String, mask: RLE)] = [
        ("empty-4x6", RLE.empty(height: 4, width: 6)),
        ("full-3x3", RLE(box: BoxXYWH(x: 0, y: 0, width: 3, height: 3), height: 3, width: 3)),
        ("box-16x12", RLE(box: BoxXYWH(x: 2, y: 3, width: 5, height: 5), height: 16, width: 12)),
        ("polygon-40x50", RLE(polygons: [[3, 4, 30, 6, 20, 35], [40, 2, 48, 2, 48, 10]], height: 40, width: 50)),
        ("zero-0x0", RLE.empty(height: 0, width: 0)),
        ("one-1x1", RLE(box: BoxXYWH(x: 0, y: 0, width: 1, height: 1), height: 1, width: 1)),
    ]

    static func header(height: Int, width: Int) -> [UInt8] {
        [0, UInt8(height & 0xFF), UInt8(height >> 8), UInt8(width & 0xFF), UInt8(width >> 8)]
    }

    static let compressed: [Seed] = masks.map { Seed($0.name, header(height: $0.mask.height, width: $0.mask.width) + $0.mask.compressedBytes) }
        + [Seed("large-zero-area", [1, 0x80, 0x80, 0x80, 0x80, 0x10, 0] + Array("0".utf8))]

    static let uncompressed: [Seed] = masks.map { Seed($0.name, header(height: $0.mask.height, width: $0.mask.width) + varints($0.mask.counts)) }
        + [Seed("large-zero-area", [1, 0x80, 0x80, 0x80, 0x80, 0x10, 0, 0])]

    static let polygons: [Seed] = [
        Seed("triangle-40x50", header(height: 40, width: 50) + coordinates([[3, 4, 30, 6, 20, 35]])),
        Seed("two-parts-40x50", header(height: 40, width: 50) + coordinates([[3, 4, 30, 6, 20, 35], [40, 2, 48, 2, 48, 10]])),
        Seed("outside-8x8", header(height: 8, width: 8) + coordinates([[-5, -5, 20, -3, 4.5, 30.25, -2, 9]])),
        Seed("subpixel-5x5", header(height: 5, width: 5) + coordinates([[0.125, 0.5, 4.875, 0.25, 2.5, 4.625]])),
        Seed("large-image", [1, 0x80, 0x80, 0x04, 0xFF, 0xFF, 0x03] + coordinates([[1, 1, 9, 1, 5, 7]])),
    ]

    static func varints(_ counts: [UInt32]) -> [UInt8] {
        var bytes: [UInt8] = []
        for count in counts {
            var value = count
            repeat {
                let low = UInt8(value & 0x7F)
                value >>= 7
                bytes.append(value == 0 ? low : low | 0x80)
            } while value != 0
        }
        return bytes
    }

    /// Coordinates in 1/8 pixel as 16-bit little-endian values; 0x7fff between polygons.
    static func coordinates(_ polygons: [[Double]]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (index, polygon) in polygons.enumerated() {
            if index > 0 { bytes += [0xFF, 0x7F] }
            for value in polygon {
                let code = UInt16(bitPattern: Int16(value * 8))
                bytes += [UInt8(code & 0xFF), UInt8(code >> 8)]
            }
        }
        return bytes
    }
}
