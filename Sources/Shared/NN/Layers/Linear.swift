// Fully connected layer: y = x W^T + b, one sgemm per pass.
//
// Legend: N = rows (batch or RoIs), I = input features, O = output features.
// input [N, I] (any rank; flattened to N = shape[0] rows), weight [O, I] (PyTorch layout),
// bias [O], output [N, O].
import SharedSupport
@_spi(Kernels) import SharedTensor

public enum Linear {
    /// What backward needs: the input.
    public struct Saved: @unchecked Sendable {
        public let input: Tensor
    }

    /// output = input weight^T + bias (overwrites output).
    @discardableResult
    public static func forward(input: Tensor, weight: Tensor, bias: Tensor?, output: Tensor, compute: Compute) -> Saved {
        let n = input.dimension(0), i = input.count / max(1, n), o = weight.dimension(0)
        precondition(weight.shape == [o, i], "linear weight \(weight.shape) for input \(input.shape)")
        precondition(output.count == n * o, "linear output \(output.shape), expected [\(n), \(o)]")
        compute.gemm.multiply(transposeB: .transposed, m: n, n: o, k: i, a: input.data, b: weight.data, c: output.data)
        if let bias {
            let y = output.data, b = bias.data
            for row in 0..<n {
                let line = y + row * o
                for j in 0..<o { line[j] += b[j] }
            }
        }
        return Saved(input: input)
    }

    /// dInput += dOutput W, dWeight += dOutput^T input, dBias += column sums of dOutput.
    public static func backward(dOutput: Tensor, saved: Saved, weight: Tensor, dInput: Tensor?, dWeight: Tensor?,
                                dBias: Tensor?, compute: Compute) {
        let input = saved.input
        let n = input.dimension(0), i = input.count / max(1, n), o = weight.dimension(0)
        precondition(dOutput.count == n * o, "linear dOutput \(dOutput.shape)")
        if let dWeight {
            compute.gemm.multiply(transposeA: .transposed, m: o, n: i, k: n, a: dOutput.data, b: input.data,
                                  beta: 1, c: dWeight.data)
        }
        if let dInput {
            precondition(dInput.count == input.count, "linear dInput \(dInput.shape)")
            compute.gemm.multiply(m: n, n: i, k: o, a: dOutput.data, b: weight.data, beta: 1, c: dInput.data)
        }
        if let dBias {
            let dy = dOutput.data, db = dBias.data
            for row in 0..<n {
                let line = dy + row * o
                for j in 0..<o { db[j] += line[j] }
            }
        }
    }
}

/// A linear layer bound to `name.weight` [O, I] and `name.bias` [O] in a store.
public struct LinearLayer: Sendable {
    public let inFeatures: Int, outFeatures: Int
    public let weight: Parameter
    public let bias: Parameter?

    public init(_ name: String, inFeatures: Int, outFeatures: Int, bias: Bool = true, layout: inout ParameterLayout,
                frozen: Bool = false) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = layout.add("\(name).weight", shape: [outFeatures, inFeatures], frozen: frozen)
        self.bias = bias ? layout.add("\(name).bias", shape: [outFeatures], frozen: frozen) : nil
    }

    /// PyTorch's default init (kaiming uniform a = sqrt(5), bias U(+-1/sqrt(I))).
    public func initialize(_ store: ParameterStore, random: inout SeededRandom) {
        store.initialize(weight, .kaimingUniformDefault, random: &random)
        if let bias { store.initialize(bias, .uniformBias(fanIn: inFeatures), random: &random) }
    }

    @discardableResult
    public func forward(_ input: Tensor, output: Tensor, store: ParameterStore, compute: Compute) -> Linear.Saved {
        Linear.forward(input: input, weight: store.value(weight), bias: bias.map(store.value), output: output, compute: compute)
    }

    public func backward(_ dOutput: Tensor, saved: Linear.Saved, dInput: Tensor?, store: ParameterStore, compute: Compute) {
        Linear.backward(dOutput: dOutput, saved: saved, weight: store.value(weight), dInput: dInput,
                        dWeight: store.isFrozen(weight) ? nil : store.gradient(weight),
                        dBias: bias.flatMap { store.isFrozen($0) ? nil : store.gradient($0) }, compute: compute)
    }
}
