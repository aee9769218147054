// What the backward pass of the box-classifier losses beside EBL (Seesaw, EQLv2, ECM,
// federated) needs: d(loss)/d(logits) at dLoss = 1, N x K row-major, computed by the forward
// (each of those losses treats its reweighting as a constant, so the gradient is known there).
// The backward adds dLoss times it into the caller's buffer.

import Foundation

public struct LogitGradient: Sendable {
    public let rows: Int
    public let columns: Int
    public var values: [Float]

    public init(rows: Int, columns: Int) {
        self.rows = rows; self.columns = columns
        values = [Float](repeating: 0, count: rows * columns)
    }

    /// Backward: `dLogits += dLoss * values` (N x K).
    public func accumulate(into dLogits: UnsafeMutableBufferPointer<Float>, dLoss: Float) {
        precondition(dLogits.count == values.count, "dLogits must be \(rows) x \(columns)")
        guard dLoss != 0 else { return }
        for i in values.indices { dLogits[i] += dLoss * values[i] }
    }
}

/// log(1 + exp(x)) without overflow.
@inline(__always)
func softplus(_ x: Float) -> Float {
    x > 0 ? x + log1pf(expf(-x)) : log1pf(expf(x))
}

/// 1 / (1 + exp(-x)).
@inline(__always)
func sigmoid(_ x: Float) -> Float {
    1 / (1 + expf(-x))
}

/// Sigmoid binary cross-entropy with one-hot targets (t_ij = 1 where j is row i's label), the
/// common core of EQLv2, ECM and the federated loss: over every row i and the given `columns` j,
///   u = slope z_ij + offset_j,  loss = Σ w_j(t) BCE(u, t) / N,  d/dz_ij = slope w_j(t) (σ(u) − t) / N,
/// w_j(1) = positiveWeights[j], w_j(0) = negativeWeights[j] (nil = 1). Other columns get no
/// gradient. `logits` is N x `columnCount`.
func sigmoidCrossEntropy(logits z: UnsafeBufferPointer<Float>, labels: [Int], columnCount k: Int, columns: [Int],
                         slope: Float = 1, offsets: [Float]? = nil, positiveWeights: [Float]? = nil,
                         negativeWeights: [Float]? = nil) -> (loss: Float, gradient: LogitGradient) {
    let n = labels.count
    precondition(z.count == n * k, "logits must be N x \(k)")
    var gradient = LogitGradient(rows: n, columns: k)
    var total: Float = 0
    let scale = 1 / Float(Swift.max(n, 1))
    for i in 0..<n {
        let label = labels[i]
        precondition(label >= 0 && label < k, "label out of range")
        for j in columns {
            let u = slope * z[i * k + j] + (offsets?[j] ?? 0), positive = j == label
            let w = (positive ? positiveWeights?[j] : negativeWeights?[j]) ?? 1
            total += w * (positive ? softplus(-u) : softplus(u))
            gradient.values[i * k + j] = slope * w * (sigmoid(u) - (positive ? 1 : 0)) * scale
        }
    }
    return (total * scale, gradient)
}
