// Effective Class-Margin loss (Cho & Krähenbühl, ECCV 2022), as janghyuncho/ECM-Loss's
// `EffectiveClassMarginLoss` (mmdet/models/losses/effective_class_margin_loss.py, ecm_utils.py),
// docs/method.md §Other classifier losses. Stateless: its margins come from the training
// set's image count per class.
//
// Legend: N rows, C foreground classes, logits N x (C + 1) (background last), targets one-hot.
//   n_j = image count of class j (clamped to >= 1; the reference has no empty class),
//   n_C = fgBgRatio x Σ_j<C n_j (background), S = Σ n, n⁻_j = S - n_j
//   a_j = n_j^¼, b_j = (n⁻_j)^¼; positive margin m⁺_j = log((a + b) / b), negative m⁻_j = log((a + b) / a)
//   class weight w_j = A log((1 + A) / A), A = n⁻_j / n_j
//   u = 2 z + m⁺ - m⁻  (the reference's exp(z + m⁺) / (exp(z + m⁺) + exp(-z + m⁻)) = σ(u))
//   loss = Σ_ij w_j (t softplus(-u) + (1 - t) softplus(u)) / N;  d/dz = 2 w_j (σ(u) - t) / N
import Foundation

public struct ECMLoss: Sendable {
    public let classCount: Int
    /// Per column (C + 1, background last): u's offset m⁺ - m⁻ and the class weight.
    public let marginOffset: [Float]
    public let classWeight: [Float]

    /// `imageCounts`: training images per foreground class (C).
    public init(imageCounts: [Int], fgBgRatio: Double = 6.3313) {
        precondition(!imageCounts.isEmpty, "at least one class")
        classCount = imageCounts.count
        // float32 as the reference computes them.
        var n = imageCounts.map { Float(Swift.max($0, 1)) }
        n.append(n.reduce(0, +) * Float(fgBgRatio))
        let total = n.reduce(0, +)
        var offset: [Float] = [], weight: [Float] = []
        for value in n {
            let negative = total - value
            let a = powf(value, 0.25), b = powf(negative, 0.25)
            offset.append(logf(1 / (b / (a + b))) - logf(1 / (a / (a + b))))
            let ratio = negative / value
            weight.append(ratio * logf((1 + ratio) / ratio))
        }
        marginOffset = offset
        classWeight = weight
    }

    public var logitColumns: Int { classCount + 1 }

    /// The loss and its gradient at dLoss = 1.
    public func forward(logits z: UnsafeBufferPointer<Float>, labels: [Int]) -> (loss: Float, gradient: LogitGradient) {
        precondition(labels.allSatisfy { $0 >= 0 && $0 <= classCount }, "label out of range")
        return sigmoidCrossEntropy(logits: z, labels: labels, columnCount: logitColumns, columns: Array(0..<logitColumns), slope: 2,
                                   offsets: marginOffset, positiveWeights: classWeight, negativeWeights: classWeight)
    }
}
