// How long a run is and its learning rate by iteration, as one value made from the config's
// solver section and the epoch length: what both stages' fit loops and their checkpoints'
// "scheduled iterations" need, without a trainer around it.
import SharedNN

public struct TrainingSchedule: Sendable, Equatable {
    /// Iterations in one epoch (at least 1).
    public let iterationsPerEpoch: Int
    /// Iterations of the whole run.
    public let totalIterations: Int
    /// Linear scaling, warm-up and step decay, by iteration.
    public let learningRate: LearningRateSchedule

    /// The schedule of `solver` for epochs of `imagesPerEpoch` images (only epoch-unit
    /// solvers depend on it).
    public init(solver: SolverConfig, imagesPerEpoch: Int) {
        iterationsPerEpoch = max(1, imagesPerEpoch / solver.imagesPerBatch)
        let epochs = solver.unit == .epochs
        totalIterations = epochs ? solver.length * iterationsPerEpoch : solver.length
        let steps = epochs ? LearningRateSchedule.steps(atEpochs: solver.decaySteps, iterationsPerEpoch: iterationsPerEpoch)
            : solver.decaySteps
        learningRate = LearningRateSchedule(peakRate: solver.scaledLearningRate, steps: steps, gamma: Float(solver.decayFactor),
                                            warmupIterations: solver.warmupIterations, warmupRatio: Float(solver.warmupRatio))
    }
}
