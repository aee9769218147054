// Which FPN level a RoI's features come from: mmdetection v2 `SingleRoIExtractor.map_roi_levels`.
//
//   scale = sqrt(w * h)   (w = x2 - x1, h = y2 - y1)
//   level = clamp(floor(log2(scale / finestScale + 1e-6)), 0, levelCount - 1), finestScale 56
// so with 4 levels (P2..P5): scale < 112 -> P2, [112, 224) -> P3, [224, 448) -> P4, >= 448 -> P5.
// docs/method.md §Stage 1 writes the FPN-paper form
// clamp(floor(4 + log2(sqrt(w h) / 224)), 2, 5): since
// 4 + log2(s / 224) = 2 + log2(s / 56), it is the same rule up to the 1e-6 inside the log
// (which only moves the boundaries by ~1e-6 relative), with levels numbered from P2 = 2.
import Foundation

/// The level index (0 = finest, P2) for each RoI. A RoI whose size is not a number (a box
/// of a diverged model, e.g. infinite width and zero height) gets level 0, as one without area.
public func roiLevels(_ rois: [Box], levelCount: Int = 4, finestScale: Float = 56) -> [Int] {
    precondition(levelCount > 0 && finestScale > 0, "need at least one level and a positive finest scale")
    return rois.map { roi in
        let scale = (Swift.max(0, roi.width) * Swift.max(0, roi.height)).squareRoot()
        let level = Foundation.floor(Foundation.log2(scale / finestScale + 1e-6))
        guard !level.isNaN else { return 0 }  // Int(NaN) traps; +-infinity clamps below
        return Int(Swift.min(Swift.max(level, 0), Float(levelCount - 1)))
    }
}
