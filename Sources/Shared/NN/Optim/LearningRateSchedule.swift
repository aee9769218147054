// The learning-rate schedule: step decay at given iterations and mmdetection's linear
// warm-up, from a peak rate (the config's base rate already scaled to the batch size:
// `SolverConfig.scaledLearningRate`), all as a pure function of the 0-based iteration.
//
//   regular(i) = peak * gamma^(number of steps s with s <= i)
//   warm-up, i < warmupIterations:  k = (1 - i / warmupIterations) * (1 - warmupRatio)
//                                   lr(i) = regular(i) * (1 - k)
// (mmcv `LrUpdaterHook.get_warmup_lr`, policy 'linear'; `StepLrUpdaterHook`.)

/// A step schedule with linear warm-up, in iterations. A value; no hidden counter.
public struct LearningRateSchedule: Sendable, Equatable, Codable {
    /// The rate after warm-up and before the first decay.
    public var peakRate: Float
    /// Iterations at which the rate is multiplied by `gamma` (from that iteration on).
    public var steps: [Int]
    public var gamma: Float
    public var warmupIterations: Int
    public var warmupRatio: Float

    public init(peakRate: Float, steps: [Int], gamma: Float = 0.1, warmupIterations: Int = 500,
                warmupRatio: Float = 0.001) {
        precondition(peakRate > 0 && gamma > 0, "learning rate and gamma must be positive")
        precondition(warmupIterations >= 0 && warmupRatio > 0 && warmupRatio <= 1, "warm-up ratio in (0, 1]")
        precondition(zip(steps, steps.dropFirst()).allSatisfy { $0 < $1 }, "decay steps must increase")
        self.peakRate = peakRate
        self.steps = steps
        self.gamma = gamma
        self.warmupIterations = warmupIterations
        self.warmupRatio = warmupRatio
    }

    /// Decay steps for an epoch schedule (e.g. 24 epochs with decay at 16 and 22).
    public static func steps(atEpochs epochs: [Int], iterationsPerEpoch: Int) -> [Int] {
        epochs.map { $0 * iterationsPerEpoch }
    }

    /// The rate before warm-up is applied.
    public func regularRate(at iteration: Int) -> Float {
        let passed = steps.filter { $0 <= iteration }.count
        var rate = peakRate
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
