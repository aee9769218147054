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

    public init(strides: [Int] = [4, 8, 16, 32, 64], ratios: [Float] = [0.5, 1, 2],
                scales: [Float] = [8], centerOffset: Float = 0) {
        precondition(!strides.isEmpty && strides.allSatisfy { $0 > 0 }, "strides must be positive")
        precondition(!ratios.isEmpty && ratios.allSatisfy { $0 > 0 }, "ratios must be positive")
        precondition(!scales.isEmpty && scales.allSatisfy { $0 > 0 }, "scales must be positive")
        self.strides = strides; self.ratios = ratios; self.scales = scales; self.centerOffset = centerOffset
    }

    public var levelCount: Int { strides.count }
    public var anchorsPerLocation: Int { ratios.count * scales.count }

    /// The anchors of `level` centred on the origin cell, ratio-major then scale.
    public func baseAnchors(level: Int) -> [Box] {
        let stride = Float(strides[level])
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
    /// in the flat order (y * featureWidth + x) * anchorsPerLocation + a.
    public func gridAnchors(level: Int, featureHeight: Int, featureWidth: Int) -> [Box] {
        let base = baseAnchors(level: level)
        let stride = Float(strides[level])
        var anchors: [Box] = []
        anchors.reserveCapacity(featureHeight * featureWidth * base.count)
        for y in 0..<featureHeight {
            let shiftY = Float(y) * stride
            for x in 0..<featureWidth {
                let shiftX = Float(x) * stride
                for b in base {
                    anchors.append(Box(x1: b.x1 + shiftX, y1: b.y1 + shiftY, x2: b.x2 + shiftX, y2: b.y2 + shiftY))
                }
            }
        }
        return anchors
    }
}
