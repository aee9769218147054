// A convolution bound to its parameters in a store, and the naive reference kernel the
// fast path is tested against.
import SharedSupport
@_spi(Kernels) import SharedTensor

/// A conv layer: its shape and its `weight` (and optional `bias`) in a `ParameterStore`.
public struct Conv2DLayer: Sendable {
    public let shape: Conv2DShape
    public let weight: Parameter
    public let bias: Parameter?

    /// Adds `name.weight` (and `name.bias`) to `layout`.
    public init(_ name: String, _ shape: Conv2DShape, bias: Bool, layout: inout ParameterLayout, frozen: Bool = false) {
        self.shape = shape
        weight = layout.add("\(name).weight", shape: shape.weightShape, frozen: frozen)
        self.bias = bias ? layout.add("\(name).bias", shape: [shape.outChannels], frozen: frozen) : nil
    }

    /// Kaiming-normal (fan-out) weights, zero bias (detectron2's c2_msra_fill).
    public func initialize(_ store: ParameterStore, random: inout SeededRandom) {
        store.initialize(weight, .kaimingNormal(.fanOut), random: &random)
        if let bias { store.initialize(bias, .zeros, random: &random) }
    }

    public func outputShape(input: [Int]) -> [Int] { shape.outputShape(input: input) }

    @discardableResult
    public func forward(_ input: Tensor, output: Tensor, store: ParameterStore, compute: Compute,
                        workspace: Workspace) -> Conv2D.Saved {
        Conv2D.forward(input: input, weight: store.value(weight), bias: bias.map(store.value), output: output,
                       shape: shape, compute: compute, workspace: workspace)
    }

    /// Accumulates into `dInput` (if given) and into the store's gradients of weight and bias.
    public func backward(_ dOutput: Tensor, saved: Conv2D.Saved, dInput: Tensor?, store: ParameterStore,
                         compute: Compute, workspace: Workspace) {
        let frozen = store.isFrozen(weight)
        Conv2D.backward(dOutput: dOutput, saved: saved, weight: store.value(weight), dInput: dInput,
                        dWeight: frozen ? nil : store.gradient(weight),
                        dBias: bias.flatMap { store.isFrozen($0) ? nil : store.gradient($0) },
                        shape: shape, compute: compute, workspace: workspace)
    }
}

extension Conv2D {
    /// Naive direct convolution in Double (the test oracle): returns the output.
    public static func forwardReference(input: Tensor, weight: Tensor, bias: Tensor?, shape: Conv2DShape) -> Tensor {
        let out = Tensor(shape: shape.outputShape(input: input.shape))
        let x = input.data, w = weight.data, y = out.data
        let c = shape.inChannels, kh = shape.kernelH, kw = shape.kernelW
        for n in 0..<out.n {
            for m in 0..<out.c {
                for oy in 0..<out.h {
                    for ox in 0..<out.w {
                        var sum = Double(bias?.data[m] ?? 0)
                        for channel in 0..<c {
                            for ky in 0..<kh {
                                for kx in 0..<kw {
                                    let iy = oy * shape.stride - shape.padding + ky
                                    let ix = ox * shape.stride - shape.padding + kx
                                    guard iy >= 0 && iy < input.h && ix >= 0 && ix < input.w else { continue }
                                    sum += Double(x[((n * c + channel) * input.h + iy) * input.w + ix])
                                        * Double(w[((m * c + channel) * kh + ky) * kw + kx])
                                }
                            }
                        }
                        y[((n * out.c + m) * out.h + oy) * out.w + ox] = Float(sum)
                    }
                }
            }
        }
        return out
    }
}
