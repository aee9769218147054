// Softmax cross-entropy over C+1 classes (background last) with per-sample weights and an
// explicit average factor, mmdetection semantics: loss = sum_i w_i * ce_i / avgFactor.
//
// Legend: N = samples (RoIs), K = classes including background (C+1).
//   logits  [N, K]   labels [N] (0..<K)   weights [N]   probabilities (saved) [N, K]

/// What `softmaxCrossEntropyBackward` needs from the forward pass.
public struct SoftmaxCrossEntropySaved: Sendable {
    public let sampleCount: Int
    public let classCount: Int
    /// softmax(logits), [N, K].
    public var probabilities: [Float]
    public var labels: [Int32]
    /// w_i / avgFactor, [N].
    public var scaledWeights: [Float]
}

/// Forward: returns sum_i w_i * (logsumexp(x_i) - x_i[label_i]) / avgFactor.
/// `weights` nil means all ones; `averageFactor` is typically the number of samples.
public func softmaxCrossEntropyForward(logits: UnsafeBufferPointer<Float>, labels: [Int32], weights: [Float]?,
                                       classCount K: Int, averageFactor: Float)
    -> (loss: Float, saved: SoftmaxCrossEntropySaved) {
    let N = labels.count
    precondition(logits.count == N * K, "logits must be [N, K]")
    precondition(weights == nil || weights!.count == N, "weights must be [N]")
    precondition(averageFactor > 0, "average factor must be positive")
    var probabilities = [Float](repeating: 0, count: N * K)
    var scaledWeights = [Float](repeating: 0, count: N)
    var total = 0.0
    for n in 0..<N {
        let label = Int(labels[n])
        precondition(label >= 0 && label < K, "label \(label) outside 0..<\(K)")
        let row = n * K
        var maximum = -Float.infinity
        for k in 0..<K { maximum = max(maximum, logits[row + k]) }
        var sum: Float = 0
        for k in 0..<K {
            let e = lossExp(logits[row + k] - maximum)
            probabilities[row + k] = e
            sum += e
        }
        let inverse = 1 / sum
        for k in 0..<K { probabilities[row + k] *= inverse }
        let crossEntropy = lossLog(sum) + maximum - logits[row + label]
        let weight = (weights?[n] ?? 1) / averageFactor
        scaledWeights[n] = weight
        total += Double(weight) * Double(crossEntropy)
    }
    return (Float(total), SoftmaxCrossEntropySaved(sampleCount: N, classCount: K, probabilities: probabilities,
                                                    labels: labels, scaledWeights: scaledWeights))
}

/// Backward: dLogits[n, k] += dLoss * w_n / avgFactor * (p[n, k] - [k == label_n]).
public func softmaxCrossEntropyBackward(dLogits: UnsafeMutableBufferPointer<Float>, dLoss: Float,
                                        saved: SoftmaxCrossEntropySaved) {
    let N = saved.sampleCount, K = saved.classCount
    precondition(dLogits.count == N * K, "dLogits must be [N, K]")
    for n in 0..<N {
        let scale = dLoss * saved.scaledWeights[n]
        if scale == 0 { continue }
        let row = n * K
        for k in 0..<K { dLogits[row + k] += scale * saved.probabilities[row + k] }
        dLogits[row + Int(saved.labels[n])] -= scale
    }
}
