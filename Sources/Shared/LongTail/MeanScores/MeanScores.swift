// The mean classification score `s` of every class (docs/method.md §Mean scores): one explicit
// value, updated at a visible call site before the loss, saved in checkpoints.
//
//   entries 0..<C: foreground classes, starting at the initial score (0.01); entry C:
//   background, constant (0.01).
//   a class with n observations of mean m this iteration: s <- alpha^n * s + (1 - alpha^n) * m
//   (= n EMA steps toward m); classes without observations keep their value.
import Foundation

/// One observation of a class's mean probability (one GT instance's positive RoIs, or one
/// class's memory samples in this iteration).
public struct MeanScoreObservation: Hashable, Sendable {
    public var classIndex: Int
    public var value: Float

    public init(classIndex: Int, value: Float) {
        self.classIndex = classIndex; self.value = value
    }
}

/// The tracked mean scores, with how many observations each class has absorbed so far.
public struct MeanScores: Equatable, Sendable {
    /// Foreground classes C (the background entry is index C).
    public let foregroundClassCount: Int
    /// Decay per observation (0.9).
    public let alpha: Float
    /// The constant background entry (0.01).
    public let backgroundScore: Float
    /// s, [C + 1], background last.
    public private(set) var scores: [Float]
    /// Observations absorbed per class, [C + 1] (the background entry stays 0).
    public private(set) var observationCounts: [Int]

    /// Fresh scores: every foreground class at `initialScore`, the background at `backgroundScore`.
    public init(foregroundClassCount: Int, alpha: Float = 0.9, initialScore: Float = 0.01, backgroundScore: Float = 0.01) {
        precondition(foregroundClassCount > 0, "need at least one foreground class")
        precondition(alpha > 0 && alpha < 1, "alpha must be in (0, 1)")
        self.foregroundClassCount = foregroundClassCount; self.alpha = alpha; self.backgroundScore = backgroundScore
        scores = Array(repeating: initialScore, count: foregroundClassCount) + [backgroundScore]
        observationCounts = Array(repeating: 0, count: foregroundClassCount + 1)
    }

    /// Restores a saved value (from `scores` and `observationCounts`); throws on a shape mismatch.
    public init(scores: [Float], observationCounts: [Int], alpha: Float = 0.9, backgroundScore: Float = 0.01) throws {
        guard scores.count >= 2, observationCounts.count == scores.count else {
            throw MeanScoresError.shapeMismatch(scores: scores.count, counts: observationCounts.count)
        }
        guard scores.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1 }) else { throw MeanScoresError.invalidScore }
        self.init(foregroundClassCount: scores.count - 1, alpha: alpha, backgroundScore: backgroundScore)
        self.scores = scores
        self.scores[foregroundClassCount] = backgroundScore
        self.observationCounts = observationCounts
    }

    /// log s, [C + 1]: the additive logit adjustment of the equilibrium loss.
    public var logScores: [Float] { scores.map { Foundation.log($0) } }

    /// Applies one iteration's observations (all workers' observations, gathered first).
    public mutating func update(with observations: [MeanScoreObservation]) {
        var sums = [Double](repeating: 0, count: foregroundClassCount)
        var counts = [Int](repeating: 0, count: foregroundClassCount)
        for observation in observations {
            precondition((0..<foregroundClassCount).contains(observation.classIndex), "observations are of foreground classes")
            sums[observation.classIndex] += Double(observation.value)
            counts[observation.classIndex] += 1
        }
        for c in 0..<foregroundClassCount where counts[c] > 0 {
            let decay = Foundation.pow(Double(alpha), Double(counts[c]))
            let mean = sums[c] / Double(counts[c])
            scores[c] = Float(decay * Double(scores[c]) + (1 - decay) * mean)
            observationCounts[c] += counts[c]
        }
        scores[foregroundClassCount] = backgroundScore
    }
}

/// A saved mean-score value that cannot be restored.
public enum MeanScoresError: Error, Equatable, CustomStringConvertible {
    case shapeMismatch(scores: Int, counts: Int)
    case invalidScore

    public var description: String {
        switch self {
        case .shapeMismatch(let scores, let counts):
            return "mean scores: \(scores) scores and \(counts) counts (need C + 1 >= 2 of each)"
        case .invalidScore:
            return "mean scores: a saved score is not a probability"
        }
    }
}
