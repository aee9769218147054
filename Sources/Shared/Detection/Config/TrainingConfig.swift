// Typed config of the input pipeline, the solver (SGD, warm-up, step decay) and test-time
// post-processing.

/// How training images are drawn.
public enum ImageSampler: String, Codable, Sendable, CaseIterable {
    /// Uniform random order, each image once per epoch (LOCE, stage 1 and 2).
    case uniform
    /// Repeat-factor sampling (the usual LVIS baseline), threshold `repeatThreshold`.
    case rfs
}

public struct InputConfig: Codable, Equatable, Sendable {
    /// Training: the short side is drawn from these per image (multi-scale).
    public var trainShortSides: [Int]
    /// The long side is at most this (the scale is reduced to fit), keeping the ratio.
    public var trainMaxLongSide: Int
    public var testShortSide: Int
    public var testMaxLongSide: Int
    /// Probability of a horizontal flip in training.
    public var flipProbability: Double
    /// Batches are padded (bottom/right) to a multiple of this.
    public var padMultiple: Int
    /// Per-channel RGB normalisation of 0-255 pixels: (x - mean) / std.
    public var pixelMean: [Double]
    public var pixelStd: [Double]
    public var sampler: ImageSampler
    /// RFS threshold t (r = max(1, sqrt(t / f))).
    public var repeatThreshold: Double
}

/// The length of a run and the points where the learning rate drops, in one unit.
public enum ScheduleUnit: String, Codable, Sendable, CaseIterable {
    case epochs
    case iterations
}

/// How a training batch's gradient is formed (`solver.gradientSum`).
public enum GradientSum: String, Codable, Sendable, CaseIterable {
    /// One forward/backward over the whole batch, each loss normalised over the batch's
    /// samples (mmdetection on one GPU). One process only.
    case batch
    /// One forward/backward per image, each loss normalised over that image's samples
    /// (mmdetection on as many GPUs as images, one each), the images' gradients summed exactly
    /// in fixed point and averaged; RoI/anchor sampling drawn per image from (seed, iteration,
    /// position). The same bits at any rank and thread count: what MPI runs use.
    case exact
}

public struct SolverConfig: Codable, Equatable, Sendable {
    public var imagesPerBatch: Int
    /// Learning rate at `referenceBatchSize` images per batch; scaled linearly to `imagesPerBatch`.
    public var baseLearningRate: Double
    public var referenceBatchSize: Int
    public var momentum: Double
    public var weightDecay: Double
    /// Linear warm-up from `warmupRatio` x lr over this many iterations.
    public var warmupIterations: Int
    public var warmupRatio: Double
    public var unit: ScheduleUnit
    /// Run length in `unit`.
    public var length: Int
    /// Learning rate x `decayFactor` at each of these points (in `unit`).
    public var decaySteps: [Int]
    public var decayFactor: Double
    /// Checkpoint every this many iterations (and always at the end).
    public var checkpointPeriod: Int
    /// How the batch's gradient is formed; nil (older configs) = `.batch`.
    public var gradientSum: GradientSum?

    /// `gradientSum`, with its default.
    public var resolvedGradientSum: GradientSum { gradientSum ?? .batch }

    /// The learning rate used at `imagesPerBatch`: `baseLearningRate` scaled linearly from
    /// `referenceBatchSize` images (Goyal et al.'s rule; 0.02 at 16 -> 0.005 at 4). The one
    /// place the rule is applied: the peak of the training schedule.
    public var scaledLearningRate: Float { Float(baseLearningRate) * Float(imagesPerBatch) / Float(referenceBatchSize) }
}

public struct TestConfig: Codable, Equatable, Sendable {
    public var scoreThreshold: Double
    /// Per-class NMS.
    public var nmsIoU: Double
    public var maxDetectionsPerImage: Int
    /// Pasted mask probabilities >= this are foreground (> this with `maskPaste` torchvision).
    public var maskThreshold: Double
    /// How class scores and boxes become detections (absent = mmdetection). mmdetection
    /// (`multiclass_nms`): boxes mapped to original pixels, then per-class NMS there.
    /// torchvision (`postprocess_detections`): in network-input pixels, boxes narrower or
    /// lower than 0.01 px dropped, torchvision's `batched_nms` (`torchvisionBatchedNMS`), the
    /// masks computed on those boxes, and only then the boxes mapped to original pixels by
    /// multiplying with original / input size per axis (`resize_boxes`).
    public var postProcessing: DetectionConvention?
    /// How mask probabilities are pasted (absent = gridSample; `MaskPasteMethod`).
    public var maskPaste: MaskPasteMethod?
}
