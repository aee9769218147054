// Area-correct resizing: each output pixel is the mean of the source area it covers, with
// fractional coverage at the edges (a box filter; exact for downscaling by any factor).
// Separable fast version plus the naive 2D reference the tests compare it with.
//
// Geometry: source x maps to x * outWidth / inWidth (pixel edges to pixel edges), so a box
// [x1, x2] in source pixels is [x1 * sx, x2 * sx] in the output, sx = outWidth / inWidth.

/// Per-axis coverage weights: for each output index, (first source index, weights).
struct AreaWeights {
    var first: [Int]
    var offsets: [Int]   // into `weights`, count + 1 entries
    var weights: [Float]

    init(inSize: Int, outSize: Int) {
        precondition(inSize > 0 && outSize > 0, "resize sizes must be positive")
        let scale = Double(inSize) / Double(outSize)
        first = []; offsets = [0]; weights = []
        first.reserveCapacity(outSize)
        for o in 0..<outSize {
            let start = Double(o) * scale, end = Double(o + 1) * scale
            let i0 = Int(start.rounded(.down)), i1 = min(inSize, Int(end.rounded(.up)))
            first.append(i0)
            for i in i0..<max(i1, i0 + 1) {
                let coverage = min(Double(i + 1), end) - max(Double(i), start)
                weights.append(Float(max(0, coverage) / scale))
            }
            offsets.append(weights.count)
        }
    }
}

public enum AreaResize {
    /// Resizes to outWidth x outHeight by area averaging (separable, float accumulation):
    /// for each output row, the covered source rows are combined first (a vectorisable pass
    /// over whole rows), then that one float row is reduced horizontally.
    public static func resize(_ image: RGBImage, width outWidth: Int, height outHeight: Int) -> RGBImage {
        precondition(outWidth > 0 && outHeight > 0, "resize target must be positive")
        if outWidth == image.width && outHeight == image.height { return image }
        let inWidth = image.width
        let horizontal = AreaWeights(inSize: inWidth, outSize: outWidth)
        let vertical = AreaWeights(inSize: image.height, outSize: outHeight)
        let rowLength = inWidth * 3
        var output = [UInt8](repeating: 0, count: outWidth * outHeight * 3)
        var row = [Float](repeating: 0, count: rowLength)
        image.pixels.withUnsafeBufferPointer { source in
        output.withUnsafeMutableBufferPointer { out in
        row.withUnsafeMutableBufferPointer { row in
        horizontal.first.withUnsafeBufferPointer { hFirst in
        horizontal.offsets.withUnsafeBufferPointer { hOffsets in
        horizontal.weights.withUnsafeBufferPointer { hWeights in
        vertical.first.withUnsafeBufferPointer { vFirst in
        vertical.offsets.withUnsafeBufferPointer { vOffsets in
        vertical.weights.withUnsafeBufferPointer { vWeights in
            for oy in 0..<outHeight {
                // Vertical: row = sum_k w_k * source row (first + k).
                for i in 0..<rowLength { row[i] = 0 }
                var sourceRow = vFirst[oy] * rowLength
                for k in vOffsets[oy]..<vOffsets[oy + 1] {
                    let w = vWeights[k]
                    for i in 0..<rowLength { row[i] += w * Float(source[sourceRow + i]) }
                    sourceRow += rowLength
                }
                // Horizontal: each output pixel from its covered columns of `row`.
                var outIndex = oy * outWidth * 3
                for ox in 0..<outWidth {
                    var r: Float = 0.5, g: Float = 0.5, b: Float = 0.5   // + 0.5: round on truncation
                    var index = hFirst[ox] * 3
                    for k in hOffsets[ox]..<hOffsets[ox + 1] {
                        let w = hWeights[k]
                        r += w * row[index]; g += w * row[index + 1]; b += w * row[index + 2]
                        index += 3
                    }
                    out[outIndex] = UInt8(min(255, r)); out[outIndex + 1] = UInt8(min(255, g)); out[outIndex + 2] = UInt8(min(255, b))
                    outIndex += 3
                }
            }
        }}}}}}}}}
        return RGBImage(width: outWidth, height: outHeight, pixels: output)
    }

    /// The reference: every output pixel integrates its source rectangle directly, in
    /// doubles. Slow; for tests.
    public static func resizeNaive(_ image: RGBImage, width outWidth: Int, height outHeight: Int) -> RGBImage {
        let sx = Double(image.width) / Double(outWidth), sy = Double(image.height) / Double(outHeight)
        var output = [UInt8](repeating: 0, count: outWidth * outHeight * 3)
        for oy in 0..<outHeight {
            let y0 = Double(oy) * sy, y1 = Double(oy + 1) * sy
            for ox in 0..<outWidth {
                let x0 = Double(ox) * sx, x1 = Double(ox + 1) * sx
                var sums = [0.0, 0.0, 0.0]
                for y in Int(y0.rounded(.down))..<min(image.height, Int(y1.rounded(.up))) {
                    let cy = min(Double(y + 1), y1) - max(Double(y), y0)
                    for x in Int(x0.rounded(.down))..<min(image.width, Int(x1.rounded(.up))) {
                        let cx = min(Double(x + 1), x1) - max(Double(x), x0)
                        let pixel = image[x, y]
                        sums[0] += cx * cy * Double(pixel.red)
                        sums[1] += cx * cy * Double(pixel.green)
                        sums[2] += cx * cy * Double(pixel.blue)
                    }
                }
                for c in 0..<3 {
                    output[(oy * outWidth + ox) * 3 + c] = UInt8(max(0, min(255, (sums[c] / (sx * sy)).rounded())))
                }
            }
        }
        return RGBImage(width: outWidth, height: outHeight, pixels: output)
    }
}

/// How an image of a given size is fitted into `short side <= S, long side <= L`.
public struct ResizePlan: Equatable, Sendable {
    public let originalWidth: Int
    public let originalHeight: Int
    public let storedWidth: Int
    public let storedHeight: Int

    /// Never enlarges. `maxShort`/`maxLong` nil means no limit.
    public init(width: Int, height: Int, maxShort: Int?, maxLong: Int?) {
        precondition(width > 0 && height > 0, "image size must be positive")
        var scale = 1.0
        if let maxShort { scale = min(scale, Double(maxShort) / Double(min(width, height))) }
        if let maxLong { scale = min(scale, Double(maxLong) / Double(max(width, height))) }
        originalWidth = width
        originalHeight = height
        storedWidth = scale >= 1 ? width : max(1, Int((Double(width) * scale).rounded()))
        storedHeight = scale >= 1 ? height : max(1, Int((Double(height) * scale).rounded()))
    }

    public var isIdentity: Bool { storedWidth == originalWidth && storedHeight == originalHeight }
    /// Stored pixels per original pixel along x and y (exact for the area resize).
    public var scaleX: Double { Double(storedWidth) / Double(originalWidth) }
    public var scaleY: Double { Double(storedHeight) / Double(originalHeight) }
}
