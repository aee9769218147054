// Which FPN level a RoI is pooled from, in mmdetection's, torchvision's or detectron2's
// arithmetic. All are the FPN paper's rule clamp(floor(k0 + log2(sqrt(w h) / 224)), kmin,
// kmax); they round differently next to a level boundary.
//
//   mmdetection `map_roi_levels`:   floor(log2(sqrt(w h) / finestScale + 1e-6)), finestScale =
//                                   canonical size / 2^(k0 - kmin) (56 for 224 at P4, P2 first)
//   torchvision `LevelMapper`:      floor(k0 + log2(sqrt(w h) / canonical size) + 1e-6) - kmin,
//                                   each operation in float32 (poolers.py)
//   detectron2 `assign_boxes_to_levels`: floor(k0 + log2(sqrt(w h) / canonical size + 1e-8))
//                                   - kmin, each operation in float32
//                                   (detectron2/modeling/poolers.py)
// both clamped to [0, levels - 1], w = x2 - x1, h = y2 - y1 (no +1).

/// The level rule of a multi-level RoIAlign.
public enum RoILevelRule: Sendable, Equatable {
    /// mmdetection's, with its finest scale (56).
    case mmdetection(finestScale: Float)
    /// torchvision's, with the canonical size (224) and level (4) and the finest pooled level (2).
    case torchvision(canonicalSize: Float, canonicalLevel: Int, finestLevel: Int)
    /// detectron2's, with the same three numbers.
    case detectron2(canonicalSize: Float, canonicalLevel: Int, finestLevel: Int)

    /// The level index (0 = the finest pooled level) of the RoI (x1, y1, x2, y2) among `levelCount`.
    @inlinable
    public func level(x1: Float, y1: Float, x2: Float, y2: Float, levelCount: Int) -> Int {
        switch self {
        case .mmdetection(let finestScale):
            return roiFeatureLevel(x1: x1, y1: y1, x2: x2, y2: y2, levelCount: levelCount, finestScale: finestScale)
        case .torchvision(let canonicalSize, let canonicalLevel, let finestLevel):
            precondition(levelCount >= 1, "need at least one level")
            let scale = ((x2 - x1) * (y2 - y1)).squareRoot()
            let target = (Float(canonicalLevel) + roiLevelLog2(scale / canonicalSize) + Float(1e-6)).rounded(.down)
            guard !target.isNaN else { return 0 }  // a box of a diverged model (torchvision: undefined)
            let clamped = min(max(target, Float(finestLevel)), Float(finestLevel + levelCount - 1))
            return Int(clamped) - finestLevel
        case .detectron2(let canonicalSize, let canonicalLevel, let finestLevel):
            precondition(levelCount >= 1, "need at least one level")
            let scale = ((x2 - x1) * (y2 - y1)).squareRoot()
            let target = (Float(canonicalLevel) + roiLevelLog2(scale / canonicalSize + Float(1e-8))).rounded(.down)
            guard !target.isNaN else { return 0 }  // a box of a diverged model
            let clamped = min(max(target, Float(finestLevel)), Float(finestLevel + levelCount - 1))
            return Int(clamped) - finestLevel
        }
    }

    /// mmdetection's finest scale, or the one torchvision's rule amounts to (the same quantity).
    public var finestScale: Float {
        switch self {
        case .mmdetection(let finestScale): return finestScale
        case .torchvision(let size, let level, let finest), .detectron2(let size, let level, let finest):
            return size / Float(1 << (level - finest))
        }
    }
}
