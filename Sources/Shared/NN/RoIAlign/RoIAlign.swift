// Multi-level RoIAlign (torchvision `roi_align` semantics, aligned, fixed or adaptive
// sampling), forward and backward. Each RoI is assigned to one FPN level by its size and
// its sampling plan is built once and shared by all channels. The levels in use are
// transposed to channels last so each plan entry sums a contiguous run of channels
// (RoIAlignChannelsLast.swift); forward runs in parallel over RoIs, backward over channel
// groups (each thread owns its channels of every pixel: no atomics, no per-thread copies,
// the same bytes for any thread count).
//
// Legend: N = images, C = channels, R = RoIs, H_l, W_l = size of level l, PH, PW = output.
//   level l features [N, C, H_l, W_l]   rois [R, 5] = (batch index, x1, y1, x2, y2)
//   output [R, C, PH, PW] in RoI order
import SharedSupport

/// One feature level as RoIAlign reads it: [N, C, height, width] floats and its scale
/// (1 / stride: 1/4 for P2 ... 1/32 for P5).
public struct RoIAlignLevel {
    public var features: UnsafeBufferPointer<Float>
    public var height: Int
    public var width: Int
    public var spatialScale: Float

    public init(features: UnsafeBufferPointer<Float>, height: Int, width: Int, spatialScale: Float) {
        self.features = features
        self.height = height
        self.width = width
        self.spatialScale = spatialScale
    }
}

/// What `roiAlignBackward` needs: the plan of every RoI and the sizes.
public struct RoIAlignSaved: Sendable {
    public let batch: Int
    public let channels: Int
    public let options: RoIAlignOptions
    /// [R], in RoI order.
    public var plans: [RoIAlignPlan]
    /// (height, width) of every level.
    public var levelSizes: [(height: Int, width: Int)]

    /// The level each RoI was read from.
    public var roiLevels: [Int] { plans.map(\.level) }
}

/// Forward. With one level every RoI reads it; with several, `levelRule` picks the level
/// (default: mmdetection's, finest scale 56). Writes output [R, C, PH, PW].
public func roiAlignForward(output: UnsafeMutableBufferPointer<Float>, levels: [RoIAlignLevel],
                            batch N: Int, channels C: Int, rois: UnsafeBufferPointer<Float>,
                            options: RoIAlignOptions, finestScale: Float = 56, levelRule: RoILevelRule? = nil,
                            parallelism: Parallelism) -> RoIAlignSaved {
    let levelRule = levelRule ?? .mmdetection(finestScale: finestScale)
    let R = rois.count / 5, PH = options.outputHeight, PW = options.outputWidth, bins = PH * PW
    precondition(rois.count == R * 5, "rois must be [R, 5]")
    precondition(output.count == R * C * bins, "output must be [R, C, PH, PW]")
    precondition(!levels.isEmpty, "need at least one feature level")
    for level in levels {
        precondition(level.features.count == N * C * level.height * level.width, "level features must be [N, C, H, W]")
    }
    var plans = [RoIAlignPlan?](repeating: nil, count: R)
    plans.withUnsafeMutableBufferPointer { plans in
        parallelism.forEachDynamic(R) { r in
            let roi = UnsafeBufferPointer(rebasing: rois[(r * 5)..<(r * 5 + 5)])
            let levelIndex = levels.count == 1 ? 0
                : levelRule.level(x1: roi[1], y1: roi[2], x2: roi[3], y2: roi[4], levelCount: levels.count)
            let level = levels[levelIndex]
            let plan = RoIAlignPlan(roi: roi, level: levelIndex, height: level.height, width: level.width,
                                    spatialScale: level.spatialScale, options: options)
            precondition(plan.batchIndex >= 0 && plan.batchIndex < N, "RoI \(r) has batch index \(plan.batchIndex) outside 0..<\(N)")
            plans[r] = plan
        }
    }
    let finished = plans.map { $0! }
    // The levels some RoI reads, transposed to channels last [N, P, C].
    let used = Set(finished.map(\.level))
    var channelsLast = [UnsafeMutablePointer<Float>?](repeating: nil, count: levels.count)
    defer { channelsLast.forEach { $0?.deallocate() } }
    for l in used.sorted() {
        let P = levels[l].height * levels[l].width
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(1, N * P * C))
        transposeToChannelsLast(levels[l].features.baseAddress!, buffer, N: N, C: C, P: P, parallelism: parallelism)
        channelsLast[l] = buffer
    }
    parallelism.forEachDynamic(R) { r in
        let plan = finished[r]
        let P = levels[plan.level].height * levels[plan.level].width
        let tile = UnsafeMutablePointer<Float>.allocate(capacity: max(1, bins * C))
        defer { tile.deallocate() }
        plan.binEnds.withUnsafeBufferPointer { binEnds in
            plan.offsets.withUnsafeBufferPointer { offsets in
                plan.weights.withUnsafeBufferPointer { weights in
                    roiAlignGatherChannelsLast(image: channelsLast[plan.level]! + plan.batchIndex * P * C, C: C,
                                               output: output.baseAddress! + r * C * bins, B: bins, tile: tile,
                                               binEnds: binEnds, offsets: offsets, weights: weights)
                }
            }
        }
    }
    return RoIAlignSaved(batch: N, channels: C, options: options, plans: finished,
                         levelSizes: levels.map { ($0.height, $0.width) })
}

/// Backward: dLevels[l][n, c, corner] += weight * dOutput[r, c, bin] for every sample.
/// `dLevels` are caller-owned [N, C, H_l, W_l] buffers, one per level, accumulated into.
public func roiAlignBackward(dLevels: [UnsafeMutableBufferPointer<Float>], dOutput: UnsafeBufferPointer<Float>,
                             saved: RoIAlignSaved, parallelism: Parallelism) {
    let N = saved.batch, C = saved.channels, R = saved.plans.count
    let bins = saved.options.outputHeight * saved.options.outputWidth
    precondition(dLevels.count == saved.levelSizes.count, "one gradient buffer per level")
    precondition(dOutput.count == R * C * bins, "dOutput must be [R, C, PH, PW]")
    for (l, size) in saved.levelSizes.enumerated() {
        precondition(dLevels[l].count == N * C * size.height * size.width, "dLevels[\(l)] must be [N, C, H, W]")
    }
    // Gradients are summed channels last ([N, P, C] per level read), with channel groups of
    // 16 split across threads: each thread owns its channels of every pixel, so nothing is
    // shared and no atomics are needed; every channel sees the RoIs and entries in the same
    // order, so the sums do not depend on the thread count. Then added into the NCHW grads.
    guard R > 0 else { return }
    let used = Set(saved.plans.map(\.level))
    var channelsLast = [UnsafeMutablePointer<Float>?](repeating: nil, count: dLevels.count)
    defer { channelsLast.forEach { $0?.deallocate() } }
    for l in used.sorted() {
        let count = max(1, N * saved.levelSizes[l].height * saved.levelSizes[l].width * C)
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        buffer.initialize(repeating: 0, count: count)
        channelsLast[l] = buffer
    }
    let groups = (C + 15) / 16
    parallelism.forEachChunk(groups) { groupRange in
        let channels = (groupRange.lowerBound * 16)..<min(C, groupRange.upperBound * 16)
        let tile = UnsafeMutablePointer<Float>.allocate(capacity: max(1, bins * channels.count))
        defer { tile.deallocate() }
        for r in 0..<R {
            let plan = saved.plans[r]
            let size = saved.levelSizes[plan.level]
            let P = size.height * size.width
            plan.binEnds.withUnsafeBufferPointer { binEnds in
                plan.offsets.withUnsafeBufferPointer { offsets in
                    plan.weights.withUnsafeBufferPointer { weights in
                        roiAlignScatterChannelsLast(gradient: channelsLast[plan.level]! + plan.batchIndex * P * C, C: C,
                                                    channels: channels, dOutput: dOutput.baseAddress! + r * C * bins,
                                                    B: bins, tile: tile,
                                                    binEnds: binEnds, offsets: offsets, weights: weights)
                    }
                }
            }
        }
    }
    for l in used.sorted() {
        accumulateFromChannelsLast(channelsLast[l]!, dLevels[l].baseAddress!, N: N, C: C,
                                   P: saved.levelSizes[l].height * saved.levelSizes[l].width, parallelism: parallelism)
    }
}
