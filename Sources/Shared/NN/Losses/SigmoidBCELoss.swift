// Sigmoid binary cross-entropy with logits: per element (RPN objectness, weights and an
// average factor) and per pixel of the ground-truth class channel (Mask R-CNN mask loss).
//
// bce(x, t) = max(x, 0) - x * t + log(1 + exp(-|x|))   (stable form, as PyTorch)
// d bce / dx = logistic(x) - t
//
// Legend: N = elements or RoIs, K = mask classes, M = mask side (28).
//   objectness: logits [N], targets [N], weights [N]
//   mask:       logits [N, K, M, M], labels [N], targets [N, M, M]

/// What `sigmoidBCEBackward` needs: the sigmoid, targets and per-element scale.
public struct SigmoidBCESaved: Sendable {
    /// sigmoid(logits), [N].
    public var probabilities: [Float]
    public var targets: [Float]
    /// w_i / avgFactor, [N].
    public var scaledWeights: [Float]
}

private func binaryCrossEntropyWithLogits(_ x: Float, _ t: Float) -> Float {
    max(x, 0) - x * t + lossLog1p(lossExp(-abs(x)))
}

private func logistic(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + lossExp(-x)) }
    let e = lossExp(x)
    return e / (1 + e)
}

/// Forward: sum_i w_i * bce(x_i, t_i) / avgFactor.
public func sigmoidBCEForward(logits: UnsafeBufferPointer<Float>, targets: [Float], weights: [Float]?,
                              averageFactor: Float) -> (loss: Float, saved: SigmoidBCESaved) {
    let N = logits.count
    precondition(targets.count == N && (weights == nil || weights!.count == N), "targets and weights must be [N]")
    precondition(averageFactor > 0, "average factor must be positive")
    var probabilities = [Float](repeating: 0, count: N)
    var scaledWeights = [Float](repeating: 0, count: N)
    var total = 0.0
    for i in 0..<N {
        let weight = (weights?[i] ?? 1) / averageFactor
        scaledWeights[i] = weight
        probabilities[i] = logistic(logits[i])
        total += Double(weight) * Double(binaryCrossEntropyWithLogits(logits[i], targets[i]))
    }
    return (Float(total), SigmoidBCESaved(probabilities: probabilities, targets: targets, scaledWeights: scaledWeights))
}

/// Backward: dLogits[i] += dLoss * w_i / avgFactor * (sigmoid(x_i) - t_i).
public func sigmoidBCEBackward(dLogits: UnsafeMutableBufferPointer<Float>, dLoss: Float, saved: SigmoidBCESaved) {
    precondition(dLogits.count == saved.probabilities.count, "dLogits must be [N]")
    for i in 0..<dLogits.count {
        dLogits[i] += dLoss * saved.scaledWeights[i] * (saved.probabilities[i] - saved.targets[i])
    }
}

/// What `maskBCEBackward` needs: sigmoid of the selected channel and the targets.
public struct MaskBCESaved: Sendable {
    public let roiCount: Int, classCount: Int, maskSize: Int
    public var labels: [Int32]
    /// sigmoid of logits[n, labels[n]], [N, M, M].
    public var probabilities: [Float]
    /// [N, M, M]
    public var targets: [Float]
}

/// Mask loss forward: mean over N*M*M of bce(logits[n, label_n, y, x], target[n, y, x])
/// (mmdetection `mask_cross_entropy`: only the ground-truth class channel counts).
public func maskBCEForward(logits: UnsafeBufferPointer<Float>, labels: [Int32], targets: [Float],
                           classCount K: Int, maskSize M: Int) -> (loss: Float, saved: MaskBCESaved) {
    let N = labels.count, plane = M * M
    precondition(logits.count == N * K * plane && targets.count == N * plane, "mask logits [N, K, M, M], targets [N, M, M]")
    var probabilities = [Float](repeating: 0, count: N * plane)
    var total = 0.0
    for n in 0..<N {
        let label = Int(labels[n])
        precondition(label >= 0 && label < K, "mask label \(label) outside 0..<\(K)")
        let source = (n * K + label) * plane
        for p in 0..<plane {
            let x = logits[source + p]
            probabilities[n * plane + p] = logistic(x)
            total += Double(binaryCrossEntropyWithLogits(x, targets[n * plane + p]))
        }
    }
    let loss = N == 0 ? 0 : Float(total / Double(N * plane))
    return (loss, MaskBCESaved(roiCount: N, classCount: K, maskSize: M, labels: labels,
                               probabilities: probabilities, targets: targets))
}

/// Mask loss backward: only the ground-truth channel of each RoI receives gradient,
/// dLogits[n, label_n, p] += dLoss * (sigmoid - target) / (N*M*M).
public func maskBCEBackward(dLogits: UnsafeMutableBufferPointer<Float>, dLoss: Float, saved: MaskBCESaved) {
    let N = saved.roiCount, K = saved.classCount, plane = saved.maskSize * saved.maskSize
    precondition(dLogits.count == N * K * plane, "dLogits must be [N, K, M, M]")
    guard N > 0 else { return }
    let scale = dLoss / Float(N * plane)
    for n in 0..<N {
        let target = (n * K + Int(saved.labels[n])) * plane
        for p in 0..<plane {
            dLogits[target + p] += scale * (saved.probabilities[n * plane + p] - saved.targets[n * plane + p])
        }
    }
}
