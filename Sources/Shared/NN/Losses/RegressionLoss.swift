// Box regression losses with per-element weights and an average factor (mmdetection):
// L1: sum_i w_i |d_i| / avgFactor;  smooth L1 (beta): |d| < beta ? 0.5 d^2 / beta : |d| - 0.5 beta.
// d_i = prediction_i - target_i. Weights are per element (per coordinate), as mmdetection's
// bbox_weights, so a negative RoI contributes nothing.
//
// Legend: N = elements (RoIs x 4).   prediction, target, weights: [N]

/// Which regression loss.
public enum RegressionLossKind: Sendable, Equatable {
    case l1
    /// Smooth L1 with transition point `beta` (> 0); beta = 0 is plain L1.
    case smoothL1(beta: Float)
}

/// What `regressionLossBackward` needs: d/dprediction of each element, already weighted.
public struct RegressionLossSaved: Sendable {
    /// w_i / avgFactor * dloss_i/dd_i, [N].
    public var gradients: [Float]
}

/// Forward: sum_i w_i * l(pred_i - target_i) / avgFactor.
public func regressionLossForward(kind: RegressionLossKind, prediction: UnsafeBufferPointer<Float>, target: [Float],
                                  weights: [Float]?, averageFactor: Float) -> (loss: Float, saved: RegressionLossSaved) {
    let N = prediction.count
    precondition(target.count == N && (weights == nil || weights!.count == N), "target and weights must be [N]")
    precondition(averageFactor > 0, "average factor must be positive")
    var gradients = [Float](repeating: 0, count: N)
    var total = 0.0
    for i in 0..<N {
        let weight = (weights?[i] ?? 1) / averageFactor
        let d = prediction[i] - target[i]
        let value: Float, slope: Float
        switch kind {
        case .l1:
            value = abs(d)
            slope = d > 0 ? 1 : (d < 0 ? -1 : 0)
        case .smoothL1(let beta):
            precondition(beta >= 0, "smooth L1 beta must be non-negative")
            if abs(d) < beta {
                value = 0.5 * d * d / beta
                slope = d / beta
            } else {
                value = abs(d) - 0.5 * beta
                slope = d > 0 ? 1 : (d < 0 ? -1 : 0)
            }
        }
        total += Double(weight) * Double(value)
        gradients[i] = weight * slope
    }
    return (Float(total), RegressionLossSaved(gradients: gradients))
}

/// Backward: dPrediction[i] += dLoss * w_i / avgFactor * l'(d_i).
public func regressionLossBackward(dPrediction: UnsafeMutableBufferPointer<Float>, dLoss: Float, saved: RegressionLossSaved) {
    precondition(dPrediction.count == saved.gradients.count, "dPrediction must be [N]")
    for i in 0..<dPrediction.count { dPrediction[i] += dLoss * saved.gradients[i] }
}
