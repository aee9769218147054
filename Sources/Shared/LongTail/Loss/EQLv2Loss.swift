// Equalization loss v2 (Tan et al., CVPR 2021), as tztztztztz/eqlv2's `EQLv2`
// (mmdet/models/losses/eqlv2.py; mmdetection's copy is the same), docs/method.md §Other
// classifier losses.
//
// Legend: N rows, C foreground classes, logits N x (C + 1) (background last), targets one-hot
// over all C + 1 columns, every column a sigmoid.
//   ratio_j = posGrad_j / (negGrad_j + 1e-10) (starts at 100), f(x) = 1 / (1 + exp(-γ (x - μ)))
//   negative weight n_j = f(ratio_j), positive weight 1 + α (1 - n_j); background column 1 and 1
//   loss = Σ_ij BCE(z_ij, t_ij) w_ij / N                 (the reference divides by the rows)
//   then (`collect`): g = |σ(z) - t|, posGrad_j += Σ_i g t w, negGrad_j += Σ_i g (1 - t) w, the
//   ratio recomputed; the weights of a pass are those from before its own statistics.
import Foundation

public struct EQLv2Loss: Sendable {
    public let classCount: Int
    public let gamma: Float, mu: Float, alpha: Float
    /// Accumulated positive and negative gradient magnitudes per foreground class, and their ratio.
    public var positiveGradient: [Float]
    public var negativeGradient: [Float]
    public var positiveNegativeRatio: [Float]

    public init(classCount: Int, gamma: Float = 12, mu: Float = 0.8, alpha: Float = 4) {
        precondition(classCount >= 1, "at least one class")
        self.classCount = classCount
        self.gamma = gamma; self.mu = mu; self.alpha = alpha
        positiveGradient = [Float](repeating: 0, count: classCount)
        negativeGradient = [Float](repeating: 0, count: classCount)
        // A high start, so both weights are 1 before any statistics (as the reference).
        positiveNegativeRatio = [Float](repeating: 100, count: classCount)
    }

    public var logitColumns: Int { classCount + 1 }

    /// Per-column (negative, positive) weights from the current statistics, background last (1, 1).
    public func columnWeights() -> (negative: [Float], positive: [Float]) {
        var negative = positiveNegativeRatio.map { 1 / (1 + expf(-gamma * ($0 - mu))) }
        negative.append(1)
        return (negative, negative.map { 1 + alpha * (1 - $0) })
    }

    /// What one pass adds to the statistics (the foreground columns).
    public struct Statistics: Sendable {
        public var positive: [Float]
        public var negative: [Float]
    }

    /// The loss, its gradient at dLoss = 1 and the pass's gradient statistics.
    public func forward(logits z: UnsafeBufferPointer<Float>, labels: [Int]) -> (loss: Float, gradient: LogitGradient, statistics: Statistics) {
        let c = classCount, k = logitColumns
        precondition(labels.allSatisfy { $0 >= 0 && $0 <= c }, "label out of range")
        let (negativeWeight, positiveWeight) = columnWeights()
        let (loss, gradient) = sigmoidCrossEntropy(logits: z, labels: labels, columnCount: k, columns: Array(0..<k),
                                                   positiveWeights: positiveWeight, negativeWeights: negativeWeight)
        // |σ(z) - t| x weight per foreground column, split by target (`collect_grad`).
        var statistics = Statistics(positive: [Float](repeating: 0, count: c), negative: [Float](repeating: 0, count: c))
        for (i, label) in labels.enumerated() {
            for j in 0..<c {
                let probability = sigmoid(z[i * k + j])
                if j == label {
                    statistics.positive[j] += (1 - probability) * positiveWeight[j]
                } else {
                    statistics.negative[j] += probability * negativeWeight[j]
                }
            }
        }
        return (loss, gradient, statistics)
    }

    /// Adds a pass's statistics (`collect_grad`) and recomputes the ratio.
    public mutating func collect(_ statistics: Statistics) {
        for j in 0..<classCount {
            positiveGradient[j] += statistics.positive[j]
            negativeGradient[j] += statistics.negative[j]
            positiveNegativeRatio[j] = positiveGradient[j] / (negativeGradient[j] + 1e-10)
        }
    }
}
