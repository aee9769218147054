// RoIAlign over `Tensor`s, the form the detector uses: a multi-level pooler bound to the
// FPN strides and an output size (detectron2's `ROIPooler`, mmdetection's
// `SingleRoIExtractor`), forward into a caller-owned [R, C, PH, PW] tensor and backward
// accumulating into one gradient tensor per level.
//
// Legend: N = images, C = channels, R = RoIs, PH x PW = output.
//   levels[l] [N, C, H_l, W_l]   rois [R, 5] (batch index, x1, y1, x2, y2), image pixels
import SharedSupport
@_spi(Kernels) import SharedTensor

/// A RoIAlign over an FPN pyramid: which strides it reads and how it samples.
public struct MultiLevelRoIAlign: Sendable, Equatable {
    /// Stride of each level, finest first (4, 8, 16, 32 for P2..P5).
    public var strides: [Int]
    public var options: RoIAlignOptions
    /// Which level a RoI reads (mmdetection's rule with finest scale 56: RoIs of sqrt(area)
    /// < 2 * 56 read the finest level; or torchvision's).
    public var levelRule: RoILevelRule

    public init(strides: [Int], options: RoIAlignOptions, levelRule: RoILevelRule) {
        precondition(!strides.isEmpty && strides.allSatisfy { $0 > 0 }, "strides must be positive")
        self.strides = strides
        self.options = options
        self.levelRule = levelRule
    }

    /// mmdetection's level rule with `finestScale`.
    public init(strides: [Int], options: RoIAlignOptions, finestScale: Float = 56) {
        self.init(strides: strides, options: options, levelRule: .mmdetection(finestScale: finestScale))
    }

    /// The finest scale of the level rule (56).
    public var finestScale: Float { levelRule.finestScale }

    /// [R, C, PH, PW] for `roiCount` RoIs over `channels`.
    public func outputShape(roiCount: Int, channels: Int) -> [Int] {
        [roiCount, channels, options.outputHeight, options.outputWidth]
    }

    /// Pools every RoI from its level into `output` (overwritten) and returns what backward needs.
    @discardableResult
    public func forward(levels: [Tensor], rois: Tensor, output: Tensor, parallelism: Parallelism) -> RoIAlignSaved {
        precondition(levels.count == strides.count, "\(levels.count) feature levels for \(strides.count) strides")
        precondition(rois.rank == 2 && rois.dimension(1) == 5, "rois must be [R, 5], got \(rois.shape)")
        let N = levels[0].n, C = levels[0].c
        precondition(levels.allSatisfy { $0.n == N && $0.c == C }, "levels must share N and C")
        precondition(output.shape == outputShape(roiCount: rois.dimension(0), channels: C), "output \(output.shape)")
        let bound = zip(levels, strides).map { level, stride in
            RoIAlignLevel(features: UnsafeBufferPointer(level.buffer), height: level.h, width: level.w,
                          spatialScale: 1 / Float(stride))
        }
        return roiAlignForward(output: output.buffer, levels: bound, batch: N, channels: C,
                               rois: UnsafeBufferPointer(rois.buffer), options: options, levelRule: levelRule,
                               parallelism: parallelism)
    }

    /// dLevels[l] += the scatter of dOutput (caller-owned, one per level, zeroed by the trainer).
    public func backward(dOutput: Tensor, saved: RoIAlignSaved, dLevels: [Tensor], parallelism: Parallelism) {
        precondition(dLevels.count == saved.levelSizes.count, "one gradient tensor per level")
        roiAlignBackward(dLevels: dLevels.map(\.buffer), dOutput: UnsafeBufferPointer(dOutput.buffer), saved: saved,
                         parallelism: parallelism)
    }
}
