// Anchors for the FPN levels: mmdetection v2 `AnchorGenerator` semantics.
//
// Per level with stride S: base size S; for every ratio r (outer loop) and scale k (inner
// loop) the base anchor has h_ratio = sqrt(r), w_ratio = 1 / h_ratio, w = S * w_ratio * k,
// h = S * h_ratio * k, centred at (S * centerOffset, S * centerOffset) = (0, 0) for
// centerOffset 0: base = (-w/2, -h/2, w/2, h/2). This order is mmdetection's default
// `scale_major=True` ((w_ratios[:, None] * scales[None, :]).view(-1)).
// The grid shifts every base anchor to (x * S, y * S) for feature cell (x, y): the anchor
// centre sits on the top-left corner of its cell, not its middle (center_offset 0).
// Flat order of one level: index = (y * featureWidth + x) * anchorsPerLocation + a.
//
// `grid` .torchvision is torchvision's `AnchorGenerator` (anchor_utils.py) with sizes
// stride x scale: base = round((-ws, -hs, ws, hs) / 2) with ws = (1 / sqrt(r)) * size,
// hs = sqrt(r) * size (float32, `round` half to even), same order; the shift of cell (x, y) is
// (x * sx, y * sy) with sx = padded input width / feature width (integer division, the
// padded batch's size), sy likewise -- the level's stride wherever the input is a multiple of
// it, less on a coarse level whose feature side was rounded up (P6 of a 352-px input: 58).

/// Generates the anchors of every FPN level.
public struct AnchorGenerator: Hashable, Sendable {
    /// Stride of each level in input pixels (P2..P6: 4, 8, 16, 32, 64).
    public let strides: [Int]
    /// Height/width ratios of the anchors at every location.
    public let ratios: [Float]
    /// Anchor sizes in units of the stride (one scale 8: a 32-pixel anchor on P2).
    public let scales: [Float]
    /// Where the anchor centre sits in its cell, in units of the stride (0 = cell corner).
    public let centerOffset: Float
    /// mmdetection's or torchvision's cell anchors and shifts (`rpn.anchorGrid`).
    public let grid: DetectionConvention

    public init(strides: [Int] = [4, 8, 16, 32, 64], ratios: [Float] = [0.5, 1, 2],
                scales: [Float] = [8], centerOffset: Float = 0, grid: DetectionConvention = .mmdetection) {
        precondition(!strides.isEmpty && strides.allSatisfy { $0 > 0 }, "strides must be positive")
        precondition(!ratios.isEmpty && ratios.allSatisfy { $0 > 0 }, "ratios must be positive")
        precondition(!scales.isEmpty && scales.allSatisfy { $0 > 0 }, "scales must be positive")
        precondition(grid == .mmdetection || centerOffset == 0, "torchvision's anchors are centred on the cell corner")
        self.strides = strides; self.ratios = ratios; self.scales = scales; self.centerOffset = centerOffset
        self.grid = grid
    }

    public var levelCount: Int { strides.count }
    public var anchorsPerLocation: Int { ratios.count * scales.count }

    /// The anchors of `level` centred on the origin cell, ratio-major then scale.
    public func baseAnchors(level: Int) -> [Box] {
        let stride = Float(strides[level])
        if grid == .torchvision {
            return ratios.flatMap { ratio -> [Box] in
                let hRatio = ratio.squareRoot(), wRatio = 1 / hRatio
                return scales.map { scale in
                    let size = stride * scale
                    let ws = wRatio * size, hs = hRatio * size
                    return Box(x1: (-ws / 2).rounded(.toNearestOrEven), y1: (-hs / 2).rounded(.toNearestOrEven),
                               x2: (ws / 2).rounded(.toNearestOrEven), y2: (hs / 2).rounded(.toNearestOrEven))
                }
            }
        }
        let center = stride * centerOffset
        var anchors: [Box] = []
        anchors.reserveCapacity(anchorsPerLocation)
        for ratio in ratios {
            let hRatio = ratio.squareRoot(), wRatio = 1 / hRatio
            for scale in scales {
                let w = stride * wRatio * scale, h = stride * hRatio * scale
                anchors.append(Box(x1: center - 0.5 * w, y1: center - 0.5 * h,
                                   x2: center + 0.5 * w, y2: center + 0.5 * h))
            }
        }
        return anchors
    }

    /// All anchors of `level` over a feature map of `featureHeight` x `featureWidth` cells,
    /// in the flat order (y * featureWidth + x) * anchorsPerLocation + a. `paddedInput`, the
    /// padded batch's size, sets torchvision's shifts (`grid` .torchvision; without it, or
    /// with mmdetection's grid, the shift is the level's stride).
    public func gridAnchors(level: Int, featureHeight: Int, featureWidth: Int, paddedInput: ImageSize? = nil) -> [Box] {
        let base = baseAnchors(level: level)
        let (strideX, strideY) = shiftStrides(level: level, featureHeight: featureHeight, featureWidth: featureWidth,
                                              paddedInput: paddedInput)
        var anchors: [Box] = []
        anchors.reserveCapacity(featureHeight * featureWidth * base.count)
        for y in 0..<featureHeight {
            let shiftY = Float(y * strideY)
            for x in 0..<featureWidth {
                let shiftX = Float(x * strideX)
                for b in base {
                    anchors.append(Box(x1: b.x1 + shiftX, y1: b.y1 + shiftY, x2: b.x2 + shiftX, y2: b.y2 + shiftY))
                }
            }
        }
        return anchors
    }

    /// The shift between neighbouring cells of `level` (x, y): the stride, or with torchvision's
    /// grid and a padded input size, that size divided by the feature size (integer division).
    public func shiftStrides(level: Int, featureHeight: Int, featureWidth: Int, paddedInput: ImageSize?) -> (x: Int, y: Int) {
        guard grid == .torchvision, let paddedInput, featureHeight > 0, featureWidth > 0 else {
            return (strides[level], strides[level])
        }
        return (paddedInput.width / featureWidth, paddedInput.height / featureHeight)
    }

    /// The padded input size implied by the finest level's feature size (the input is padded
    /// to a multiple of every stride, so finest side x finest stride is the padded side).
    public func paddedInput(finestFeatureHeight: Int, finestFeatureWidth: Int) -> ImageSize {
        ImageSize(width: finestFeatureWidth * strides[0], height: finestFeatureHeight * strides[0])
    }
}
