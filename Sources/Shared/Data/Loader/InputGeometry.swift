// Geometry of one network input: the keep-ratio rescale (mmcv `rescale_size`: factor =
// min(maxLong / long, short / short), size = int(side * factor + 0.5)), and the horizontal
// flip of boxes (x1' = W - x2, x2' = W - x1) and polygons (x' = W - x), mmdetection v2's
// "+1-free" convention. Annotations in stored pixels map to input pixels by these.

/// How a stored image becomes a network input (before padding).
public struct InputGeometry: Sendable, Equatable {
    public var storedWidth: Int
    public var storedHeight: Int
    /// The resized size (the input without padding).
    public var inputWidth: Int
    public var inputHeight: Int
    /// Mirrored left-right after resizing.
    public var flipped: Bool

    /// The keep-ratio resize of `storedWidth` x `storedHeight` to short side `shortSide`,
    /// long side at most `maxLongSide`.
    public init(storedWidth: Int, storedHeight: Int, shortSide: Int, maxLongSide: Int, flipped: Bool) {
        precondition(storedWidth > 0 && storedHeight > 0, "image size must be positive")
        let long = Double(max(storedWidth, storedHeight)), short = Double(min(storedWidth, storedHeight))
        let factor = min(Double(maxLongSide) / long, Double(shortSide) / short)
        self.storedWidth = storedWidth
        self.storedHeight = storedHeight
        inputWidth = max(1, Int(Double(storedWidth) * factor + 0.5))
        inputHeight = max(1, Int(Double(storedHeight) * factor + 0.5))
        self.flipped = flipped
    }

    /// Input pixels per stored pixel along x and y (exact per axis after rounding).
    public var scaleX: Double { Double(inputWidth) / Double(storedWidth) }
    public var scaleY: Double { Double(inputHeight) / Double(storedHeight) }

    /// A box in stored pixels mapped to input pixels (scaled, then flipped if so).
    public func map(_ box: BoxXYXY) -> BoxXYXY {
        let x1 = box.x1 * scaleX, x2 = box.x2 * scaleX
        let y1 = box.y1 * scaleY, y2 = box.y2 * scaleY
        guard flipped else { return BoxXYXY(x1: x1, y1: y1, x2: x2, y2: y2) }
        let width = Double(inputWidth)
        return BoxXYXY(x1: width - x2, y1: y1, x2: width - x1, y2: y2)
    }

    /// A flat [x0, y0, x1, y1, ...] polygon in stored pixels mapped to input pixels.
    public func map(polygon: [Float]) -> [Double] {
        var out = [Double](repeating: 0, count: polygon.count)
        let width = Double(inputWidth)
        var index = 0
        while index + 1 < polygon.count {
            let x = Double(polygon[index]) * scaleX
            out[index] = flipped ? width - x : x
            out[index + 1] = Double(polygon[index + 1]) * scaleY
            index += 2
        }
        return out
    }
}

/// The padded side: the smallest multiple of `multiple` that is at least `side`.
public func paddedSide(_ side: Int, multiple: Int) -> Int {
    precondition(multiple >= 1, "pad multiple must be at least 1")
    return (side + multiple - 1) / multiple * multiple
}
