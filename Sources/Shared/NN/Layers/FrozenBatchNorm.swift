// BatchNorm with frozen statistics and affine (pretrained ResNet-50): the eval-mode
// transform folded into one per-channel scale and shift, y = x * scale + shift with
// scale = weight / sqrt(runningVar + eps), shift = bias - runningMean * scale.
// Only the input gets a gradient (all four tensors are frozen, as in detectron2).
//
// Legend: N = batch, C = channels, P = H*W. input/output [N, C, H, W]; all params [C].
import SharedSupport
@_spi(Kernels) import SharedTensor

public enum FrozenBatchNorm {
    /// Folds the statistics: returns (scale, shift), each [C].
    public static func fold(weight: Tensor, bias: Tensor, runningMean: Tensor, runningVar: Tensor,
                            eps: Float = 1e-5) -> (scale: [Float], shift: [Float]) {
        let c = weight.count
        var scale = [Float](repeating: 0, count: c), shift = scale
        for i in 0..<c {
            scale[i] = weight.data[i] / (runningVar.data[i] + eps).squareRoot()
            shift[i] = bias.data[i] - runningMean.data[i] * scale[i]
        }
        return (scale, shift)
    }

    /// output = input * scale[c] + shift[c] (output may alias input). No saved state
    /// beyond `scale`, which backward takes again.
    public static func forward(input: Tensor, scale: [Float], shift: [Float], output: Tensor, compute: Compute) {
        let c = input.c, p = input.h * input.w
        precondition(output.count == input.count && scale.count == c && shift.count == c, "frozen BN shapes")
        let x = input.data, y = output.data
        compute.parallelism.forEach(input.n * c, minimumChunk: max(1, 16384 / max(1, p))) { row in
            let a = scale[row % c], b = shift[row % c]
            Elementwise.scaleShift(x + row * p, scale: a, shift: b, into: y + row * p, count: p)
        }
    }

    /// dInput += dOutput * scale[c].
    public static func backward(dOutput: Tensor, scale: [Float], dInput: Tensor, compute: Compute) {
        let c = dOutput.c, p = dOutput.h * dOutput.w
        precondition(dInput.count == dOutput.count && scale.count == c, "frozen BN gradient shapes")
        let dy = dOutput.data, dx = dInput.data
        compute.parallelism.forEach(dOutput.n * c, minimumChunk: max(1, 16384 / max(1, p))) { row in
            let a = scale[row % c]
            Elementwise.axpy(alpha: a, dy + row * p, dx + row * p, count: p)
        }
    }
}

/// A frozen BN layer bound to `name.weight`, `.bias`, `.running_mean`, `.running_var`
/// (torchvision's names, so converted ResNet-50 weights load directly), all frozen.
public struct FrozenBatchNormLayer: Sendable {
    public let channels: Int, eps: Float
    public let weight: Parameter, bias: Parameter, runningMean: Parameter, runningVar: Parameter

    public init(_ name: String, channels: Int, eps: Float = 1e-5, layout: inout ParameterLayout) {
        self.channels = channels; self.eps = eps
        weight = layout.add("\(name).weight", shape: [channels], frozen: true)
        bias = layout.add("\(name).bias", shape: [channels], frozen: true)
        runningMean = layout.add("\(name).running_mean", shape: [channels], frozen: true)
        runningVar = layout.add("\(name).running_var", shape: [channels], frozen: true)
    }

    /// Near-identity transform: weight 1, bias 0, mean 0, var 1 (pretrained weights
    /// normally overwrite these).
    public func initialize(_ store: ParameterStore, random: inout SeededRandom) {
        store.initialize(weight, .ones, random: &random)
        store.initialize(bias, .zeros, random: &random)
        store.initialize(runningMean, .zeros, random: &random)
        store.initialize(runningVar, .ones, random: &random)
    }

    public func folded(_ store: ParameterStore) -> (scale: [Float], shift: [Float]) {
        FrozenBatchNorm.fold(weight: store.value(weight), bias: store.value(bias), runningMean: store.value(runningMean),
                             runningVar: store.value(runningVar), eps: eps)
    }

    public func forward(_ input: Tensor, output: Tensor, store: ParameterStore, compute: Compute) {
        let (scale, shift) = folded(store)
        FrozenBatchNorm.forward(input: input, scale: scale, shift: shift, output: output, compute: compute)
    }

    public func backward(_ dOutput: Tensor, dInput: Tensor, store: ParameterStore, compute: Compute) {
        FrozenBatchNorm.backward(dOutput: dOutput, scale: folded(store).scale, dInput: dInput, compute: compute)
    }
}
