// The learning-rate schedule of docs/method.md §Stage 1: linear scaling of the base rate with
// the batch size (0.02 at 16 images), step decay at given iterations, and mmdetection's linear
// warm-up, all as a pure function of the 0-based iteration.
//
//   regular(i) = base * gamma^(number of steps s with s <= i)
//   warm-up, i < warmupIterations:  k = (1 - i / warmupIterations) * (1 - warmupRatio)
//                                   lr(i) = regular(i) * (1 - k)
// (mmcv `LrUpdaterHook.get_warmup_lr`, policy 'linear'; `StepLrUpdaterHook`.)

/// A step schedule with linear warm-up, in iterations. A value; no hidden counter.
public struct LearningRateSchedule: Sendable, Equatable, Codable {
    public var baseLearningRate: Float
    /// Iterations at which the rate is multiplied by `gamma` (from that iteration on).
    public var steps: [Int]
    public var gamma: Float
    public var warmupIterations: Int
    public var warmupRatio: Float

    public init(baseLearningRate: Float, steps: [Int], gamma: Float = 0.1, warmupIterations: Int = 500,
                warmupRatio: Float = 0.001) {
        precondition(baseLearningRate > 0 && gamma > 0, "learning rate and gamma must be positive")
        precondition(warmupIterations >= 0 && warmupRatio > 0 && warmupRatio <= 1, "warm-up ratio in (0, 1]")
        precondition(zip(steps, steps.dropFirst()).allSatisfy { $0 < $1 }, "decay steps must increase")
        self.baseLearningRate = baseLearningRate
        self.steps = steps
        self.gamma = gamma
        self.warmupIterations = warmupIterations
        self.warmupRatio = warmupRatio
    }

    /// The linear scaling rule: `referenceRate` (0.02) at `referenceBatch` (16) images.
    public static func scaledBaseRate(batchSize: Int, referenceRate: Float = 0.02, referenceBatch: Int = 16) -> Float {
        precondition(batchSize > 0, "batch size must be positive")
        return referenceRate * Float(batchSize) / Float(referenceBatch)
    }

    /// Decay steps for an epoch schedule (e.g. 24 epochs with decay at 16 and 22).
    public static func steps(atEpochs epochs: [Int], iterationsPerEpoch: Int) -> [Int] {
        epochs.map { $0 * iterationsPerEpoch }
    }

    /// The rate before warm-up is applied.
    public func regularRate(at iteration: Int) -> Float {
        let passed = steps.filter { $0 <= iteration }.count
        var rate = baseLearningRate
        for _ in 0..<passed { rate *= gamma }
        return rate
    }

    /// The learning rate of 0-based `iteration`.
    public func learningRate(at iteration: Int) -> Float {
        precondition(iteration >= 0, "iteration must be non-negative")
        let regular = regularRate(at: iteration)
        guard iteration < warmupIterations else { return regular }
        let k = (1 - Float(iteration) / Float(warmupIterations)) * (1 - warmupRatio)
        return regular * (1 - k)
    }
}
