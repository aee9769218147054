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
