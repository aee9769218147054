// Pasting an M x M mask probability map into its box as torchvision does (`test.maskPaste`
// "torchvision"): torchvision/models/detection/roi_heads.py `paste_masks_in_image` with
// padding 1, then `> threshold` (its COCO evaluation thresholds at 0.5):
//   1. the map is padded by one zero cell on every side: (M + 2) x (M + 2) (`expand_masks`);
//   2. the box grows about its centre by s = (M + 2) / M (`expand_boxes`, float32):
//      half widths (x2 - x1) * 0.5 * s, centre (x2 + x1) * 0.5; the corners are truncated
//      toward zero to integers (`.to(torch.int64)`);
//   3. the padded map is resized to h x w = max(y2 - y1 + 1, 1) x max(x2 - x1 + 1, 1) pixels by
//      PyTorch's CPU bilinear `F.interpolate` (align_corners=False): source index
//      (dst + 0.5) * (in / out) - 0.5, at least 0; i0 = min(floor, in - 1), i1 = i0 + 1 below the
//      last row; lambda = min(max(src - i0, 0), 1); value = (a w0 + b w1) h0 + (c w0 + d w1) h1;
//   4. it is copied into the image at (x1, y1), clipped to the image.
// Only the visible part of the resized map is computed (a huge box costs its visible pixels).
import Foundation

/// Pastes `probabilities` (`mapHeight` x `mapWidth`) into `box` (original pixels) of an image
/// of `imageSize` as torchvision does; foreground where the pasted value > `threshold`.
public func pasteMaskTorchvision(_ probabilities: [Float], mapHeight: Int, mapWidth: Int, box: Box, imageSize: ImageSize,
                                 threshold: Float = 0.5) -> PastedMask {
    precondition(probabilities.count == mapHeight * mapWidth, "map must be mapHeight x mapWidth")
    let empty = PastedMask(imageSize: imageSize, x: 0, y: 0, width: 0, height: 0, bits: [])
    guard box.x1.isFinite, box.y1.isFinite, box.x2.isFinite, box.y2.isFinite, mapWidth > 0, mapHeight > 0 else { return empty }
    // 1-2. torchvision scales both axes by the last dimension's (M + 2) / M.
    let scale = Float(Double(mapWidth + 2) / Double(mapWidth))
    let halfW = (box.x2 - box.x1) * 0.5 * scale, halfH = (box.y2 - box.y1) * 0.5 * scale
    let centerX = (box.x2 + box.x1) * 0.5, centerY = (box.y2 + box.y1) * 0.5
    let left = truncatedInt(centerX - halfW), right = truncatedInt(centerX + halfW)
    let top = truncatedInt(centerY - halfH), bottom = truncatedInt(centerY + halfH)
    let outWidth = max(right - left + 1, 1), outHeight = max(bottom - top + 1, 1)
    // 4. The visible part: image columns x0..<x1e, rows y0..<y1e.
    let x0 = max(left, 0), x1e = min(right + 1, imageSize.width)
    let y0 = max(top, 0), y1e = min(bottom + 1, imageSize.height)
    guard x1e > x0, y1e > y0 else { return PastedMask(imageSize: imageSize, x: max(0, min(x0, imageSize.width)), y: 0, width: 0, height: 0, bits: []) }
    // 3. Interpolation taps of the visible output columns and rows over the padded map.
    let paddedWidth = mapWidth + 2, paddedHeight = mapHeight + 2
    let columns = bilinearTaps(input: paddedWidth, output: outWidth, from: x0 - left, count: x1e - x0)
    let rows = bilinearTaps(input: paddedHeight, output: outHeight, from: y0 - top, count: y1e - y0)
    var padded = [Float](repeating: 0, count: paddedWidth * paddedHeight)
    for row in 0..<mapHeight {
        for column in 0..<mapWidth { padded[(row + 1) * paddedWidth + column + 1] = probabilities[row * mapWidth + column] }
    }
    let width = x1e - x0, height = y1e - y0
    var bits = [UInt8](repeating: 0, count: width * height)
    for r in 0..<height {
        let (i0, i1, h0, h1) = rows[r]
        for c in 0..<width {
            let (j0, j1, w0, w1) = columns[c]
            let upper = padded[i0 * paddedWidth + j0] * w0 + padded[i0 * paddedWidth + j1] * w1
            let lower = padded[i1 * paddedWidth + j0] * w0 + padded[i1 * paddedWidth + j1] * w1
            bits[r * width + c] = upper * h0 + lower * h1 > threshold ? 1 : 0
        }
    }
    return PastedMask(imageSize: imageSize, x: x0, y: y0, width: width, height: height, bits: bits)
}

/// PyTorch's CPU linear-interpolation taps (align_corners=False) of output indices
/// from..<from + count when `input` samples are resized to `output`: (index0, index1, weight0, weight1).
func bilinearTaps(input: Int, output: Int, from: Int, count: Int) -> [(Int, Int, Float, Float)] {
    let scale = Float(input) / Float(output)
    return (from..<(from + count)).map { index in
        var source = scale * (Float(index) + 0.5) - 0.5
        if source < 0 { source = 0 }
        let low = min(Int(source.rounded(.down)), input - 1)
        let lambda = min(max(source - Float(low), 0), 1)
        let high = low < input - 1 ? low + 1 : low
        return (low, high, 1 - lambda, lambda)
    }
}

/// `Int(value)` truncated toward zero (`.to(torch.int64)`), saturated at +-2^31 for boxes of
/// a diverged model (every image side is far below).
func truncatedInt(_ value: Float) -> Int {
    let limit: Float = 2_147_483_648
    return Int(min(max(value, -limit), limit).rounded(.towardZero))
}
