// Group normalisation with a per-channel affine transform (the `tiny` backbone's norm).
// Statistics per (image, group) over the group's channels and pixels, biased variance,
// eps inside the square root, as torch.nn.GroupNorm.
//
// Legend: N = batch, C = channels, G = groups, CG = C/G channels per group, P = H*W.
// input/output [N, C, H, W], gamma/beta [C], mean/rstd [N, G].
import SharedSupport
@_spi(Kernels) import SharedTensor

public enum GroupNorm {
    /// What backward needs: the input and each group's mean and 1/std.
    public struct Saved: @unchecked Sendable {
        public let input: Tensor
        public let mean: [Float]
        public let rstd: [Float]
        public let groups: Int
    }

    /// Floats each thread gets at least (1 MiB): below that, waking a second thread costs
    /// more than it saves (measured: a [2, 32, 64, 64] forward ran at 0.61 of memcpy on one
    /// thread, 0.35 on two). Chunks never change the results: each group is summed alone.
    static let minimumChunkFloats = 1 << 18

    /// output = (input - mean) * rstd * gamma + beta, per group.
    @discardableResult
    public static func forward(input: Tensor, gamma: Tensor, beta: Tensor, output: Tensor, groups: Int,
                               eps: Float = 1e-5, compute: Compute) -> Saved {
        let n = input.n, c = input.c, p = input.h * input.w
        precondition(c % groups == 0, "GroupNorm: \(c) channels not divisible into \(groups) groups")
        precondition(output.shape == input.shape && gamma.count == c && beta.count == c, "GroupNorm shapes")
        let cg = c / groups, size = cg * p
        var mean = [Float](repeating: 0, count: n * groups), rstd = mean
        mean.withUnsafeMutableBufferPointer { meanBuffer in
            rstd.withUnsafeMutableBufferPointer { rstdBuffer in
                let meanOut = meanBuffer.baseAddress!, rstdOut = rstdBuffer.baseAddress!
                let x = input.data, y = output.data, g = gamma.data, b = beta.data
                compute.parallelism.forEach(n * groups, minimumChunk: max(1, minimumChunkFloats / max(1, size))) { item in
                    let src = x + item * size, dst = y + item * size
                    // One pass: moments about the first element (close to the mean in practice,
                    // so no catastrophic cancellation), then mean and biased variance.
                    let shift = src[0]
                    let (sum, squares) = Elementwise.shiftedMoments(src, shift: shift, count: size)
                    let m1 = sum / Float(size)
                    let variance = Swift.max(0, squares / Float(size) - m1 * m1)
                    let mu = shift + m1
                    let r = 1 / (variance + eps).squareRoot()
                    meanOut[item] = mu
                    rstdOut[item] = r
                    let firstChannel = (item % groups) * cg
                    for j in 0..<cg {
                        let scale = r * g[firstChannel + j], shift = b[firstChannel + j] - mu * scale
                        Elementwise.scaleShift(src + j * p, scale: scale, shift: shift, into: dst + j * p, count: p)
                    }
                }
            }
        }
        return Saved(input: input, mean: mean, rstd: rstd, groups: groups)
    }

    /// dInput += dL/dx, dGamma += sum dy * xhat, dBeta += sum dy (any may be nil).
    public static func backward(dOutput: Tensor, saved: Saved, gamma: Tensor, dInput: Tensor?, dGamma: Tensor?,
                                dBeta: Tensor?, compute: Compute) {
        let input = saved.input, groups = saved.groups
        let n = input.n, c = input.c, p = input.h * input.w, cg = c / groups, size = cg * p
        precondition(dOutput.shape == input.shape, "GroupNorm dOutput \(dOutput.shape)")
        let x = input.data, dy = dOutput.data, g = gamma.data
        let dx = dInput?.data, dg = dGamma?.data, db = dBeta?.data
        saved.mean.withUnsafeBufferPointer { meanBuffer in
            saved.rstd.withUnsafeBufferPointer { rstdBuffer in
                let means = meanBuffer.baseAddress!, rstds = rstdBuffer.baseAddress!
                // Tasks are groups; each loops over the batch, so per-channel dGamma/dBeta
                // sums are written by one task only.
                compute.parallelism.forEach(groups, minimumChunk: max(1, minimumChunkFloats / max(1, n * size))) { group in
                    let firstChannel = group * cg
                    for image in 0..<n {
                        let item = image * groups + group
                        let mu = means[item], r = rstds[item]
                        let src = x + item * size, grad = dy + item * size
                        var sumDxhat: Float = 0, sumDxhatXhat: Float = 0
                        for j in 0..<cg {
                            let (a, b) = Elementwise.dotAndSum(grad + j * p, src + j * p, count: p)  // sum dy*x, sum dy
                            let dyXhat = r * (a - mu * b)
                            dg?[firstChannel + j] += dyXhat
                            db?[firstChannel + j] += b
                            sumDxhat += g[firstChannel + j] * b
                            sumDxhatXhat += g[firstChannel + j] * dyXhat
                        }
                        guard let dx else { continue }
                        let m1 = sumDxhat / Float(size), m2 = sumDxhatXhat / Float(size)
                        let out = dx + item * size
                        for j in 0..<cg {
                            let s = src + j * p, d = grad + j * p, o = out + j * p
                            let gr = g[firstChannel + j] * r
                            // dx = r * (gamma dy - m1 - xhat m2), xhat = (x - mu) r
                            let k1 = -r * m1 + r * r * mu * m2, k2 = -r * r * m2
                            let vgr = Float16x(repeating: gr), vk1 = Float16x(repeating: k1), vk2 = Float16x(repeating: k2)
                            var i = 0
                            while i + 16 <= p {
                                store16(load16(o + i) + vgr * load16(d + i) + vk1 + vk2 * load16(s + i), o + i)
                                i += 16
                            }
                            while i < p { o[i] += gr * d[i] + k1 + k2 * s[i]; i += 1 }
                        }
                    }
                }
            }
        }
    }
}

/// A GroupNorm layer bound to `name.weight` (gamma, init 1) and `name.bias` (beta, init 0).
public struct GroupNormLayer: Sendable {
    public let channels: Int, groups: Int, eps: Float
    public let gamma: Parameter, beta: Parameter

    public init(_ name: String, channels: Int, groups: Int, eps: Float = 1e-5, layout: inout ParameterLayout,
                frozen: Bool = false) {
        precondition(channels % groups == 0, "GroupNorm \(name): \(channels) channels, \(groups) groups")
        self.channels = channels; self.groups = groups; self.eps = eps
        gamma = layout.add("\(name).weight", shape: [channels], frozen: frozen)
        beta = layout.add("\(name).bias", shape: [channels], frozen: frozen)
    }

    public func initialize(_ store: ParameterStore, random: inout SeededRandom) {
        store.initialize(gamma, .ones, random: &random)
        store.initialize(beta, .zeros, random: &random)
    }

    @discardableResult
    public func forward(_ input: Tensor, output: Tensor, store: ParameterStore, compute: Compute) -> GroupNorm.Saved {
        GroupNorm.forward(input: input, gamma: store.value(gamma), beta: store.value(beta), output: output,
                          groups: groups, eps: eps, compute: compute)
    }

    public func backward(_ dOutput: Tensor, saved: GroupNorm.Saved, dInput: Tensor?, store: ParameterStore, compute: Compute) {
        GroupNorm.backward(dOutput: dOutput, saved: saved, gamma: store.value(gamma), dInput: dInput,
                           dGamma: store.isFrozen(gamma) ? nil : store.gradient(gamma),
                           dBeta: store.isFrozen(beta) ? nil : store.gradient(beta), compute: compute)
    }
}
