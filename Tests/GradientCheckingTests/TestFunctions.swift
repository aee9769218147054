// Small float functions with known gradients for the checker's own tests: a smooth one
// (tanh units) and a kinked one (ReLU units), each with loss = sum(r * y) in Double.
import Foundation
import SharedSupport
import GradientChecking

/// y = act(W x + b) in float; loss = Σ r_i y_i accumulated in Double.
struct TestLayer {
    enum Activation { case tanh, relu }
    let activation: Activation
    let weights: [[Float]], bias: [Float], r: [Float]

    init(_ activation: Activation, inputs: Int, outputs: Int, seed: UInt64) {
        var random = SeededRandom(seed: seed)
        func uniform() -> Float { random.nextFloat() * 2 - 1 }
        self.activation = activation
        weights = (0..<outputs).map { _ in (0..<inputs).map { _ in uniform() } }
        bias = (0..<outputs).map { _ in uniform() * 0.5 }
        r = (0..<outputs).map { _ in uniform() }
    }

    func preActivations(_ x: [Float]) -> [Float] {
        zip(weights, bias).map { row, b in zip(row, x).reduce(b) { $0 + $1.0 * $1.1 } }
    }

    func loss(_ x: [Float]) -> LossValue {
        let y = preActivations(x).map { z -> Float in activation == .tanh ? Float(Foundation.tanh(Double(z))) : max(z, 0) }
        return LossValue(zip(y, r).reduce(0.0) { $0 + Double($1.0) * Double($1.1) })
    }

    /// The analytic gradient, in float as a backward computes it (ReLU's slope at 0 is 0).
    func gradient(_ x: [Float]) -> [Double] {
        let z = preActivations(x)
        let dz = zip(z, r).map { z, r -> Float in
            switch activation {
            case .tanh: let y = Float(Foundation.tanh(Double(z))); return r * (1 - y * y)
            case .relu: return z > 0 ? r : 0
            }
        }
        return (0..<x.count).map { j in Double(zip(dz, weights).reduce(Float(0)) { $0 + $1.0 * $1.1[j] }) }
    }
}

/// A ReLU layer plus kinks placed on purpose: loss = layer(x) + Σ_j s_j relu(x_j - c_j).
struct KinkedFunction {
    let layer: TestLayer
    let slopes: [Float], kinks: [Float]

    func loss(_ x: [Float]) -> LossValue {
        let extra = (0..<x.count).reduce(0.0) { $0 + Double(slopes[$1] * max(x[$1] - kinks[$1], 0)) }
        return LossValue(layer.loss(x).value + extra)
    }

    func gradient(_ x: [Float]) -> [Double] {
        zip(layer.gradient(x), x.indices).map { g, j in g + (x[j] > kinks[j] ? Double(slopes[j]) : 0) }
    }
}
