// Seesaw loss (Wang et al., CVPR 2021), as mmdetection's `SeesawLoss` / `seesaw_ce_loss`
// (mmdet/models/losses/seesaw_loss.py), the reference of docs/method.md §Other classifier losses.
//
// Legend: N rows, C foreground classes, labels in 0...C (C = background); logits N x (C + 2):
// the C class logits, then the objectness pair [foreground, background].
//   counts:      cum[y] += 1 for every row, background included (`accumulate`, before the loss)
//   mitigation:  M_ij = (cum_j / cum_i)^p where cum_j < cum_i, else 1 (counts clamped to >= 1)
//   compensation: S_ij = (σ_j / σ_i)^q where σ_j > σ_i, else 1; σ = softmax over the C class
//                logits (a constant), σ_i clamped to >= eps
//   classes:     for foreground rows, CE over the C class logits z_j + log(M_yj S_yj) (j != y)
//   objectness:  for every row, CE over the pair with label background = (y == C)
//   loss = (Σ_fg w_i CE_classes + Σ_all w_i CE_objectness) / averageFactor
// The factors are constants (the reference detaches σ), so d/dz = (softmax(adjusted) - onehot) w_i / averageFactor.
import Foundation

public struct SeesawLoss: Sendable {
    public let classCount: Int
    public let p: Float, q: Float, eps: Float
    /// Rows seen per class so far, background last (C + 1): the reference's `cum_samples`.
    public var cumulativeSamples: [Float]

    public init(classCount: Int, p: Float = 0.8, q: Float = 2, eps: Float = 0.01, cumulativeSamples: [Float]? = nil) {
        precondition(classCount >= 1, "at least one class")
        precondition(cumulativeSamples == nil || cumulativeSamples!.count == classCount + 1, "one count per class and background")
        self.classCount = classCount
        self.p = p; self.q = q; self.eps = eps
        self.cumulativeSamples = cumulativeSamples ?? [Float](repeating: 0, count: classCount + 1)
    }

    /// Logit columns: C classes + the objectness pair.
    public var logitColumns: Int { classCount + 2 }

    /// Counts this batch's labels (before `forward`, as the reference).
    public mutating func accumulate(labels: [Int]) {
        for label in labels { cumulativeSamples[label] += 1 }
    }

    /// The loss and its gradient at dLoss = 1; `weights` nil = all 1.
    public func forward(logits z: UnsafeBufferPointer<Float>, labels: [Int], weights: [Float]? = nil,
                        averageFactor: Float) -> (loss: Float, gradient: LogitGradient) {
        let c = classCount, k = logitColumns, n = labels.count
        precondition(z.count == n * k, "logits must be N x (C + 2)")
        precondition(averageFactor > 0, "average factor must be positive")
        var gradient = LogitGradient(rows: n, columns: k)
        var total: Float = 0
        var adjusted = [Float](repeating: 0, count: c)
        for i in 0..<n {
            let label = labels[i], w = weights?[i] ?? 1
            precondition(label >= 0 && label <= c, "label out of range")
            let row = z.baseAddress! + i * k
            // Objectness: CE over [foreground, background].
            let objectness = label == c ? 1 : 0
            let pair = softmaxCrossEntropyRow(row + c, count: 2, label: objectness)
            total += w * pair.loss
            for j in 0..<2 { gradient.values[i * k + c + j] = w * pair.probabilities[j] / averageFactor }
            gradient.values[i * k + c + objectness] -= w / averageFactor
            guard label < c else { continue }
            // Classes: the reweighted CE over the C class logits.
            let sigma = softmaxRow(row, count: c)
            let selfScore = Swift.max(sigma[label], eps)
            let labelCount = Swift.max(cumulativeSamples[label], 1)
            for j in 0..<c {
                var factor: Float = 1
                if p > 0 {
                    let ratio = Swift.max(cumulativeSamples[j], 1) / labelCount
                    if ratio < 1 { factor *= powf(ratio, p) }
                }
                if q > 0 {
                    let ratio = sigma[j] / selfScore
                    if ratio > 1 { factor *= powf(ratio, q) }
                }
                adjusted[j] = j == label ? row[j] : row[j] + logf(factor)
            }
            let classes = adjusted.withUnsafeBufferPointer { softmaxCrossEntropyRow($0.baseAddress!, count: c, label: label) }
            total += w * classes.loss
            for j in 0..<c { gradient.values[i * k + j] = w * classes.probabilities[j] / averageFactor }
            gradient.values[i * k + label] -= w / averageFactor
        }
        return (total / averageFactor, gradient)
    }
}

/// Softmax of `count` values (maximum subtracted first).
func softmaxRow(_ x: UnsafePointer<Float>, count: Int) -> [Float] {
    var maximum = -Float.infinity
    for j in 0..<count { maximum = Swift.max(maximum, x[j]) }
    var values = (0..<count).map { expf(x[$0] - maximum) }
    let inverse = 1 / values.reduce(0, +)
    for j in 0..<count { values[j] *= inverse }
    return values
}

/// -log softmax(x)[label] and softmax(x).
func softmaxCrossEntropyRow(_ x: UnsafePointer<Float>, count: Int, label: Int) -> (loss: Float, probabilities: [Float]) {
    var maximum = -Float.infinity
    for j in 0..<count { maximum = Swift.max(maximum, x[j]) }
    var values = (0..<count).map { expf(x[$0] - maximum) }
    let sum = values.reduce(0, +)
    let inverse = 1 / sum
    for j in 0..<count { values[j] *= inverse }
    return (logf(sum) + maximum - x[label], values)
}
