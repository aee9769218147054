// The Equilibrium Loss (docs/method.md §Equilibrium loss): softmax cross-entropy on z + log s,
// s constant.
//
// Legend: N = samples (sampled RoIs then memory samples), K = C + 1 classes (background last).
//   forward:  a = z + log s; L_i = logsumexp(a_i) - a_i[y_i]; loss = sum_i w_i L_i / averageFactor
//   backward: dz_i = dLoss * w_i / averageFactor * (softmax(a_i) - onehot(y_i))   (added into dLogits)
// Rows subtract their maximum before exponentiating. With all s equal this is plain CE.
import Foundation

/// What the backward pass needs: softmax(z + log s), N x K.
public struct EquilibriumLossSaved: Sendable {
    public let sampleCount: Int
    public let classCount: Int
    public var adjustedProbabilities: [Float]  // [N * K]
}

/// Forward: the mean weighted loss and the saved softmax. `logits` is N x K row-major,
/// `labels` [N] in 0..<K, `logMeanScores` [K], `weights` [N] (nil = all 1).
public func equilibriumLossForward(logits: [Float], labels: [Int], logMeanScores: [Float], weights: [Float]? = nil,
                                   averageFactor: Float) -> (loss: Float, perSample: [Float], saved: EquilibriumLossSaved) {
    logits.withUnsafeBufferPointer {
        equilibriumLossForward(logits: $0, labels: labels, logMeanScores: logMeanScores, weights: weights, averageFactor: averageFactor)
    }
}

/// Forward on a raw buffer of logits (e.g. a tensor's storage), N x K row-major.
public func equilibriumLossForward(logits z: UnsafeBufferPointer<Float>, labels: [Int], logMeanScores: [Float],
                                   weights: [Float]? = nil,
                                   averageFactor: Float) -> (loss: Float, perSample: [Float], saved: EquilibriumLossSaved) {
    let k = logMeanScores.count, n = labels.count
    precondition(k >= 2 && z.count == n * k, "logits must be N x K")
    precondition(weights == nil || weights!.count == n, "one weight per sample")
    precondition(averageFactor > 0, "average factor must be positive")
    var probabilities = [Float](repeating: 0, count: n * k)
    var perSample = [Float](repeating: 0, count: n)
    var total = 0.0
    logMeanScores.withUnsafeBufferPointer { logS in
        probabilities.withUnsafeMutableBufferPointer { p in
            for i in 0..<n {
                let label = labels[i]
                precondition(label >= 0 && label < k, "label out of range")
                let row = z.baseAddress! + i * k, out = p.baseAddress! + i * k
                var maximum = -Float.infinity
                for c in 0..<k { maximum = Swift.max(maximum, row[c] + logS[c]) }
                var sum: Float = 0
                for c in 0..<k {
                    let e = Foundation.exp(row[c] + logS[c] - maximum)
                    out[c] = e; sum += e
                }
                let inverse = 1 / sum
                for c in 0..<k { out[c] *= inverse }
                let loss = Foundation.log(sum) + maximum - (row[label] + logS[label])
                perSample[i] = loss
                total += Double(loss) * Double(weights?[i] ?? 1)
            }
        }
    }
    let saved = EquilibriumLossSaved(sampleCount: n, classCount: k, adjustedProbabilities: probabilities)
    return (Float(total / Double(averageFactor)), perSample, saved)
}

/// Backward: adds dLoss * d(loss)/d(logits) into `dLogits` (N x K).
public func equilibriumLossBackward(dLogits: inout [Float], saved: EquilibriumLossSaved, labels: [Int],
                                    weights: [Float]? = nil, averageFactor: Float, dLoss: Float = 1) {
    dLogits.withUnsafeMutableBufferPointer {
        equilibriumLossBackward(dLogits: $0, saved: saved, labels: labels, weights: weights, averageFactor: averageFactor, dLoss: dLoss)
    }
}

/// Backward into a raw gradient buffer (N x K), accumulating.
public func equilibriumLossBackward(dLogits d: UnsafeMutableBufferPointer<Float>, saved: EquilibriumLossSaved, labels: [Int],
                                    weights: [Float]? = nil, averageFactor: Float, dLoss: Float = 1) {
    let n = saved.sampleCount, k = saved.classCount
    precondition(d.count == n * k && labels.count == n, "dLogits must be N x K")
    saved.adjustedProbabilities.withUnsafeBufferPointer { p in
        for i in 0..<n {
            let scale = dLoss * (weights?[i] ?? 1) / averageFactor
            guard scale != 0 else { continue }
            for c in 0..<k { d[i * k + c] += scale * p[i * k + c] }
            d[i * k + labels[i]] -= scale
        }
    }
}

/// mmdetection's average factor for classification: the number of samples with a
/// positive weight, at least 1.
public func classificationAverageFactor(weights: [Float]) -> Float {
    Swift.max(Float(weights.filter { $0 > 0 }.count), 1)
}

/// Reference of one sample's loss in the pairwise-margin form
/// (docs/method.md §Equilibrium loss), in Double:
/// log(1 + sum_{k != y} exp(z_k - z_y + log(s_k / s_y))).
public func equilibriumLossPairwise(logits: [Float], label: Int, meanScores: [Float]) -> Double {
    precondition(logits.count == meanScores.count, "one mean score per logit")
    var sum = 0.0
    for c in logits.indices where c != label {
        let margin = Foundation.log(Double(meanScores[c]) / Double(meanScores[label]))
        sum += Foundation.exp(Double(logits[c]) - Double(logits[label]) + margin)
    }
    return Foundation.log1p(sum)
}
