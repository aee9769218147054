// Pasting an M x M mask probability map into its box in the original image: detectron2
// `paste_masks_in_image` / mmdetection `_do_paste_mask` semantics, i.e. `grid_sample`
// with align_corners=False and zero padding, then `>= threshold` (0.5).
//   image pixel (px, py) samples the map at
//     ix = ((px + 0.5) - x1) / (x2 - x1) * M - 0.5,  iy likewise with y and the map height,
//   bilinearly, neighbours outside the map contributing 0.
// Only the pixels that can be non-zero are computed: the result is the box's region
// (slightly grown by half a map cell) clipped to the image. Boxes without area (or with a
// NaN coordinate) paste nothing; infinite or huge coordinates are clamped before any
// conversion to Int, and samples far outside the map are 0 without being converted.
import Foundation

/// A binary mask covering `region` of an image (row-major, 1 = inside); the image outside
/// the region is 0.
public struct PastedMask: Sendable, Equatable {
    public var imageSize: ImageSize
    /// Left, top, width and height of the computed region, in image pixels.
    public var x: Int, y: Int, width: Int, height: Int
    public var bits: [UInt8]  // [height * width]

    /// The whole image's mask, row-major [imageSize.height * imageSize.width].
    public func fullImage() -> [UInt8] {
        var full = [UInt8](repeating: 0, count: imageSize.width * imageSize.height)
        for row in 0..<height {
            for column in 0..<width where bits[row * width + column] != 0 {
                full[(y + row) * imageSize.width + x + column] = 1
            }
        }
        return full
    }
}

/// Bilinear sample of `map` (H x W, row-major) at (ix, iy) with zero padding (`grid_sample`).
/// Outside (-1, W) x (-1, H) every neighbour is padding: 0 (also for NaN, and for positions
/// too far out for an Int, which a tiny box's columns reach).
@inlinable func sampleBilinearZeroPadded(_ map: UnsafeBufferPointer<Float>, height: Int, width: Int, ix: Float, iy: Float) -> Float {
    guard ix > -1, ix < Float(width), iy > -1, iy < Float(height) else { return 0 }
    // floor without a libm call: in (-1, W) it is -1 below zero and the truncation elsewhere.
    let x0 = ix < 0 ? -1 : Int(ix), y0 = iy < 0 ? -1 : Int(iy)
    let wx1 = ix - Float(x0), wy1 = iy - Float(y0)
    let wx0 = 1 - wx1, wy0 = 1 - wy1
    func at(_ x: Int, _ y: Int) -> Float { (x >= 0 && x < width && y >= 0 && y < height) ? map[y &* width &+ x] : 0 }
    return at(x0, y0) * wx0 * wy0 + at(x0 &+ 1, y0) * wx1 * wy0 + at(x0, y0 &+ 1) * wx0 * wy1 + at(x0 &+ 1, y0 &+ 1) * wx1 * wy1
}

/// `Int(value)` for a whole-valued float, saturated at +-2^31 (an infinite box edge plus its
/// margin; every image side is far below): the same Int for every value that did not trap.
@inlinable func saturatingInt(_ value: Float) -> Int {
    let limit: Float = 2_147_483_648
    if value.isNaN { return 0 }
    return Int(Swift.min(Swift.max(value, -limit), limit))
}

/// Pastes `probabilities` (`mapHeight` x `mapWidth`) into `box` of an image of `imageSize`.
public func pasteMask(_ probabilities: [Float], mapHeight: Int, mapWidth: Int, box: Box, imageSize: ImageSize,
                      threshold: Float = 0.5) -> PastedMask {
    precondition(probabilities.count == mapHeight * mapWidth, "map must be mapHeight x mapWidth")
    let boxW = box.x2 - box.x1, boxH = box.y2 - box.y1
    guard boxW > 0, boxH > 0, imageSize.width > 0, imageSize.height > 0 else {
        return PastedMask(imageSize: imageSize, x: 0, y: 0, width: 0, height: 0, bits: [])
    }
    // Non-zero only where ix in (-1, M): px + 0.5 in (x1 - 0.5 boxW / M, x2 + 0.5 boxW / M).
    let marginX = boxW / Float(mapWidth), marginY = boxH / Float(mapHeight)
    let left = Swift.max(0, saturatingInt(Foundation.floor(box.x1 - marginX)) - 1)
    let right = Swift.min(imageSize.width, saturatingInt(Foundation.ceil(box.x2 + marginX)) + 1)
    let top = Swift.max(0, saturatingInt(Foundation.floor(box.y1 - marginY)) - 1)
    let bottom = Swift.min(imageSize.height, saturatingInt(Foundation.ceil(box.y2 + marginY)) + 1)
    let width = Swift.max(0, right - left), height = Swift.max(0, bottom - top)
    var bits = [UInt8](repeating: 0, count: width * height)
    // Same operation order as detectron2: normalise to [-1, 1], then grid_sample's unnormalise.
    // The x sampling position depends only on the column: computed once per column.
    let columnX = (0..<width).map { column -> Float in
        let gx = ((Float(left + column) + 0.5) - box.x1) / boxW * 2 - 1
        return ((gx + 1) * Float(mapWidth) - 1) / 2
    }
    // The hot loop of `predict` (every pixel of every detection's box): buffers and wrapping
    // index arithmetic, as row * width + column < bits.count by construction.
    probabilities.withUnsafeBufferPointer { map in
        columnX.withUnsafeBufferPointer { columnX in
            bits.withUnsafeMutableBufferPointer { bits in
                for row in 0..<height {
                    let gy = ((Float(top + row) + 0.5) - box.y1) / boxH * 2 - 1
                    let iy = ((gy + 1) * Float(mapHeight) - 1) / 2
                    if iy <= -1 || iy >= Float(mapHeight) { continue }  // the whole row samples padding
                    let rowStart = row &* width
                    for column in 0..<width {
                        let value = sampleBilinearZeroPadded(map, height: mapHeight, width: mapWidth, ix: columnX[column], iy: iy)
                        bits[rowStart &+ column] = value >= threshold ? 1 : 0
                    }
                }
            }
        }
    }
    return PastedMask(imageSize: imageSize, x: left, y: top, width: width, height: height, bits: bits)
}
