// Bilinear resize (OpenCV INTER_LINEAR sampling: half-pixel centres, edge clamped),
// optional left-right mirror, and per-channel normalisation, written straight into one
// image's planes of a float batch [N, 3, H, W]. One pass, no intermediate images.
//   source x of output column u = (u + 0.5) * (srcW / dstW) - 0.5, clamped to [0, srcW - 1]
//   mirrored: output column u takes the unmirrored column dstW - 1 - u

/// Per-axis sampling table: for each output index, the two source indices and the weight of the second.
struct LinearTaps {
    var first: [Int]
    var second: [Int]
    var weight: [Float]

    init(source: Int, destination: Int) {
        first = []; second = []; weight = []
        first.reserveCapacity(destination); second.reserveCapacity(destination); weight.reserveCapacity(destination)
        let ratio = Double(source) / Double(destination)
        for u in 0..<destination {
            let position = min(max((Double(u) + 0.5) * ratio - 0.5, 0), Double(source - 1))
            let low = Int(position)
            first.append(low)
            second.append(min(low + 1, source - 1))
            weight.append(Float(position - Double(low)))
        }
    }
}

public enum ResizeNormalize {
    /// Writes `image` resized to `width` x `height` (mirrored if `flip`), normalised by
    /// `mean`/`std`, into the planes at `planes` (3 planes of `planeHeight` x `planeWidth`
    /// floats, row-major; the region outside width x height is not touched).
    public static func write(_ image: RGBImage, width: Int, height: Int, flip: Bool, mean: [Float], std: [Float],
                             into planes: UnsafeMutablePointer<Float>, planeWidth: Int, planeHeight: Int) {
        precondition(width <= planeWidth && height <= planeHeight, "resized image larger than its planes")
        precondition(image.width > 0 && image.height > 0, "empty image")
        let columns = LinearTaps(source: image.width, destination: width)
        let rows = LinearTaps(source: image.height, destination: height)
        let inverse = std.map { 1 / $0 }
        let planeSize = planeWidth * planeHeight
        var upper = [Float](repeating: 0, count: width * 3), lower = [Float](repeating: 0, count: width * 3)
        image.pixels.withUnsafeBufferPointer { pixels in
            for v in 0..<height {
                // Horizontal pass over the two source rows, then the vertical blend.
                for (rowIndex, sourceRow) in [rows.first[v], rows.second[v]].enumerated() {
                    let base = sourceRow * image.width * 3
                    for u in 0..<width {
                        let column = flip ? width - 1 - u : u
                        let a = base + columns.first[column] * 3, b = base + columns.second[column] * 3
                        let w = columns.weight[column]
                        for channel in 0..<3 {
                            let value = Float(pixels[a + channel]) * (1 - w) + Float(pixels[b + channel]) * w
                            if rowIndex == 0 { upper[u * 3 + channel] = value } else { lower[u * 3 + channel] = value }
                        }
                    }
                }
                let wy = rows.weight[v]
                for channel in 0..<3 {
                    let out = planes + channel * planeSize + v * planeWidth
                    let m = mean[channel], s = inverse[channel]
                    for u in 0..<width {
                        let value = upper[u * 3 + channel] * (1 - wy) + lower[u * 3 + channel] * wy
                        out[u] = (value - m) * s
                    }
                }
            }
        }
    }
}
