// The documented range of every number a config holds (Config/README.md, "Ranges"): wide
// enough for real use (r50-fpn on LVIS v1: 1203 classes, 1333 px images, 16-image batches,
// the LOCE memory of 80 features per class) and narrow enough that no product of them
// overflows 64 bits; the buffer checks (`DetectorConfig+Sizes.swift`) bound what they make.

public enum ConfigLimits {
    // Backbone and FPN.
    public static let stageBlocks = 1...64
    public static let stemWidth = 1...1024
    public static let stageWidth = 1...8192
    public static let groups = 1...1024
    public static let fpnChannels = 1...2048

    // Anchors, sampling, proposals.
    /// Entries of `rpn.anchorScales` and of `rpn.anchorRatios`.
    public static let anchorListLength = 1...16
    public static let anchorScale = ConfigRange.closed(0.001, 1000)
    public static let anchorRatio = ConfigRange.closed(0.001, 1000)
    public static let samplesPerImage = 1...65_536
    public static let preNMSTopK = 1...1_000_000
    public static let postNMSTopK = 1...100_000
    /// Pixels: the proposals' `minimumSize`.
    public static let minimumBoxSize = ConfigRange.closed(0, 100_000)
    /// Pixels: `roiHeads.canonicalSize`.
    public static let canonicalSize = ConfigRange(0, 100_000, excludesLower: true)
    public static let coderMean = ConfigRange.closed(-1000, 1000)
    public static let coderStd = ConfigRange(0, 1000, excludesLower: true)
    public static let lossWeight = ConfigRange.closed(0, 1000)

    // RoI heads.
    /// `roiHeads.numClasses` (and the class count a training set gives).
    public static let classCount = 1...100_000
    public static let pooledSize = 1...64
    public static let samplingRatio = 0...64
    public static let fcCount = 1...16
    public static let fcDim = 1...16_384
    public static let initStd = ConfigRange(0, 10, excludesLower: true)
    public static let maskConvCount = 0...16
    public static let maskConvDim = 1...4096
    public static let normedScale = ConfigRange(0, 1000, excludesLower: true)

    // Input.
    /// Image sides in pixels: short and long, train and test.
    public static let imageSide = 1...8192
    /// Entries of `input.trainShortSides`.
    public static let trainScales = 1...64
    public static let padMultiple = 1...1024
    public static let pixelMean = ConfigRange.closed(-1000, 1000)
    public static let pixelStd = ConfigRange.closed(0.001, 1000)
    public static let repeatThreshold = ConfigRange(0, 1, excludesLower: true)

    // Solver.
    public static let imagesPerBatch = 1...1024
    public static let referenceBatchSize = 1...65_536
    public static let learningRate = ConfigRange(0, 100, excludesLower: true)
    public static let weightDecay = ConfigRange.closed(0, 1)
    /// Iterations or epochs: `solver.length`, `solver.warmupIterations`, `solver.checkpointPeriod`.
    public static let scheduleLength = 1...100_000_000
    public static let warmupIterations = 0...100_000_000
    /// Entries of `solver.decaySteps`.
    public static let decayStepCount = 0...64

    // Test.
    public static let maxDetectionsPerImage = 1...100_000

    // Stage 2's section (loce) adds its limits in LongTail/Config.

    // What the numbers make together.
    /// The most elements any one buffer may hold (activations, im2col columns, RoI features,
    /// mask logits, a later stage's buffers such as the LOCE feature memory): 2^31 - 1 floats (8 GiB), which also keeps every
    /// matrix side inside the 32-bit sizes BLAS takes.
    public static let maxBufferElements = Int(Int32.max)
    /// The most model parameters: 2^28 (1 GiB of values; gradients and momentum the same).
    public static let maxParameters = 1 << 28
}
