// The sampling plan of one RoI: for every output bin, the feature-plane offsets and
// bilinear weights (already divided by the sample count) of all its samples, computed once
// per RoI and shared by every channel, forward and backward.
//
// Legend: H, W = level size, PH, PW = output size, gh, gw = samples per bin side.

/// One RoI's bilinear gather: bin b reads entries binEnds[b-1]..<binEnds[b] (binEnds[-1] = 0).
public struct RoIAlignPlan: Sendable {
    /// Feature level the RoI was assigned to.
    public var level: Int
    /// Image index within the batch.
    public var batchIndex: Int
    /// [PH * PW], running end of each bin's entries.
    public var binEnds: [Int32]
    /// Offsets into one [H, W] plane of the level.
    public var offsets: [Int32]
    /// Weights w / count, one per offset.
    public var weights: [Float]

    /// Builds the plan of `roi` (batch index, x1, y1, x2, y2) on a level of H x W with
    /// `spatialScale`, following torchvision's sampling and boundary rules exactly.
    ///
    /// Bilinear sampling is separable: a sample's corner weight is wy * wx, and a sample
    /// outside [-1, H] (or [-1, W]) contributes nothing, so each bin's weight on pixel
    /// (r, c) is (sum of its samples' y-weights on row r) x (sum of x-weights on column c).
    /// The per-axis lists are built once per bin row and bin column, and their products
    /// give each bin's entries with every pixel once; zero weights are dropped.
    public init(roi: UnsafeBufferPointer<Float>, level: Int, height H: Int, width W: Int, spatialScale: Float,
                options: RoIAlignOptions) {
        self.level = level
        batchIndex = Int(roi[0])
        let PH = options.outputHeight, PW = options.outputWidth
        let box = roiAlignBox(roi, spatialScale: spatialScale, options: options)
        let inverseCount = 1 / Float(max(box.gridH * box.gridW, 1))
        let rows = RoIAlignAxisWeights(bins: PH, samples: box.gridH, start: box.startY, binSize: box.binHeight, size: H)
        let columns = RoIAlignAxisWeights(bins: PW, samples: box.gridW, start: box.startX, binSize: box.binWidth, size: W)
        // Bin (ph, pw) has |rows(ph)| x |columns(pw)| entries, so the total is exactly
        // (all row entries) x (all column entries): fill preallocated buffers.
        let total = rows.index.count * columns.index.count
        var ends = [Int32](repeating: 0, count: PH * PW)
        var planOffsets = [Int32](repeating: 0, count: total)
        var planWeights = [Float](repeating: 0, count: total)
        planOffsets.withUnsafeMutableBufferPointer { offsets in
            planWeights.withUnsafeMutableBufferPointer { weights in
                var e = 0
                for ph in 0..<PH {
                    for pw in 0..<PW {
                        for i in rows.ends[ph]..<rows.ends[ph + 1] {
                            let rowOffset = rows.index[i] * W, rowWeight = rows.weight[i] * inverseCount
                            for j in columns.ends[pw]..<columns.ends[pw + 1] {
                                offsets[e] = Int32(rowOffset + columns.index[j])
                                weights[e] = rowWeight * columns.weight[j]
                                e += 1
                            }
                        }
                        ends[ph * PW + pw] = Int32(e)
                    }
                }
            }
        }
        binEnds = ends
        offsets = planOffsets
        weights = planWeights
    }
}

/// One axis of a RoI's sampling grid: for every bin, the pixels (rows or columns) its
/// samples touch and the summed linear-interpolation weight on each, torchvision's rules.
struct RoIAlignAxisWeights {
    /// Bin b uses entries ends[b]..<ends[b + 1].
    var ends: [Int]
    var index: [Int]
    var weight: [Float]

    init(bins: Int, samples: Int, start: Float, binSize: Float, size: Int) {
        ends = [0]
        index = []
        weight = []
        ends.reserveCapacity(bins + 1)
        for bin in 0..<bins {
            let first = index.count
            func add(_ pixel: Int, _ w: Float) {
                if w == 0 { return }
                for e in first..<index.count where index[e] == pixel {
                    weight[e] += w
                    return
                }
                index.append(pixel)
                weight.append(w)
            }
            for sample in 0..<max(samples, 0) {
                // The same float expression as torchvision (roi_align_kernel.cpp, pre_calc).
                var t = start + Float(bin) * binSize + (Float(sample) + 0.5) * binSize / Float(samples)
                // (Written so that a NaN sample is skipped too: `Int(t)` below must not see one.)
                if !(t >= -1.0 && t <= Float(size)) { continue }
                if t <= 0 { t = 0 }
                var low = Int(t), high: Int
                if low >= size - 1 {
                    low = size - 1; high = low; t = Float(low)
                } else {
                    high = low + 1
                }
                let l = t - Float(low)
                add(low, 1 - l)
                add(high, l)
            }
            ends.append(index.count)
        }
    }
}

/// The FPN level of a RoI, mmdetection's `map_roi_levels`:
/// level = clamp(floor(log2(sqrt(w * h) / finestScale + 1e-6)), 0, levelCount - 1),
/// w = x2 - x1, h = y2 - y1 (no +1). With finestScale 56 this is docs/method.md §Stage 1's
/// clamp(floor(4 + log2(sqrt(wh) / 224)), 2, 5) - 2 (the FPN paper's rule, k0 = 4,
/// counted from P2), up to the 1e-6 that keeps exact powers of two on the upper level.
public func roiFeatureLevel(x1: Float, y1: Float, x2: Float, y2: Float, levelCount: Int,
                            finestScale: Float = 56) -> Int {
    precondition(levelCount >= 1, "need at least one level")
    let area = (x2 - x1) * (y2 - y1)
    guard area > 0 else { return 0 }
    let level = roiLevelLog2(area.squareRoot() / finestScale + 1e-6).rounded(.down)
    return Int(min(max(level, 0), Float(levelCount - 1)))
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@usableFromInline func roiLevelLog2(_ x: Float) -> Float { log2f(x) }
