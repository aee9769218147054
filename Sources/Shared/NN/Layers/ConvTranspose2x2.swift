// Transposed convolution with a 2x2 kernel and stride 2 (the mask head's upsampling
// "deconv"). Kernel and stride are equal, so output blocks never overlap: each input pixel
// times the weight gives one 2x2 block per output channel. Forward and input gradient: one
// GEMM per image, images in parallel; weight gradient: one GEMM over the batch.
//
// Legend: N = batch, CI = input channels, CO = output channels, H x W = input, P = H*W.
// input [N, CI, H, W], weight [CI, CO, 2, 2] (PyTorch ConvTranspose2d layout), bias [CO],
// output [N, CO, 2H, 2W]; scratch: z [CO*4, P] per thread (forward), x' [CI, N*P] and
// dz [CO*4, N*P] (backward), row co*4 + 2*i + j.
import SharedSupport
@_spi(Kernels) import SharedTensor

public enum ConvTranspose2x2 {
    public struct Saved: @unchecked Sendable {
        public let input: Tensor
    }

    public static func outputShape(input: [Int], outChannels: Int) -> [Int] {
        precondition(input.count == 4, "conv-transpose expects NCHW, got \(input)")
        return [input[0], outChannels, input[2] * 2, input[3] * 2]
    }

    @discardableResult
    public static func forward(input: Tensor, weight: Tensor, bias: Tensor?, output: Tensor, compute: Compute,
                               workspace: Workspace) -> Saved {
        let n = input.n, ci = input.c, h = input.h, w = input.w, p = h * w
        let co = weight.dimension(1)
        precondition(weight.shape == [ci, co, 2, 2], "conv-transpose weight \(weight.shape)")
        precondition(output.shape == outputShape(input: input.shape, outChannels: co), "conv-transpose output \(output.shape)")
        // Image by image, each on one thread with a serial GEMM, so that z stays in cache:
        // z[CO*4, P] = W[CI, CO*4]^T x[CI, P], then spread into the 2x2 blocks.
        let workers = min(compute.parallelism.threads, n)
        let z = workspace.scratch(workers * co * 4 * p, slot: 1)
        let gemm = GEMM(runtime: compute.gemm.runtime)
        let b = bias?.data
        compute.parallelism.forEach(workers) { worker in
            let zw = z + worker * co * 4 * p
            for image in (n * worker / workers)..<(n * (worker + 1) / workers) {
                gemm.multiply(transposeA: .transposed, m: co * 4, n: p, k: ci, a: weight.data, b: input.data + image * ci * p, c: zw)
                for channel in 0..<co {
                    let offset = b?[channel] ?? 0
                    let dst = output.data + (image * co + channel) * 4 * p
                    for i in 0..<2 {
                        for j in 0..<2 {
                            let src = zw + (channel * 4 + 2 * i + j) * p
                            for iy in 0..<h {
                                let line = dst + (2 * iy + i) * 2 * w + j, s = src + iy * w
                                for ix in 0..<w { line[2 * ix] = s[ix] + offset }
                            }
                        }
                    }
                }
            }
        }
        return Saved(input: input)
    }

    public static func backward(dOutput: Tensor, saved: Saved, weight: Tensor, dInput: Tensor?, dWeight: Tensor?,
                                dBias: Tensor?, compute: Compute, workspace: Workspace) {
        let input = saved.input
        let n = input.n, ci = input.c, h = input.h, w = input.w, p = h * w
        let co = weight.dimension(1)
        precondition(dOutput.shape == outputShape(input: input.shape, outChannels: co), "conv-transpose dOutput shape")
        let dy = dOutput.data
        if let dBias {   // dBias[co] += the sum of its four block positions (in that order), over all images
            // Eight channels at a time, one SIMD lane each: every lane adds in the scalar order,
            // but eight sums advance per step instead of one. In the last group, lanes past
            // the last channel read it again and are dropped.
            let groups = (co + 7) / 8, step = 4 * p
            compute.parallelism.forEach(groups) { group in
                let first = group * 8, lanes = min(8, co - first)
                let offsets = SIMD8<Int>(0, 1, 2, 3, 4, 5, 6, 7)
                    .clamped(lowerBound: SIMD8(repeating: 0), upperBound: SIMD8(repeating: lanes - 1)) &* step
                var totals = SIMD8<Float>()
                for i in 0..<2 {
                    for j in 0..<2 {
                        for image in 0..<n {
                            let base = dy + (image * co + first) * step
                            for iy in 0..<h {
                                let row = (2 * iy + i) * 2 * w + j
                                for ix in 0..<w {
                                    let k = row + 2 * ix
                                    totals += SIMD8(base[offsets[0] + k], base[offsets[1] + k], base[offsets[2] + k],
                                                    base[offsets[3] + k], base[offsets[4] + k], base[offsets[5] + k],
                                                    base[offsets[6] + k], base[offsets[7] + k])
                                }
                            }
                        }
                    }
                }
                for lane in 0..<lanes { dBias.data[first + lane] += totals[lane] }
            }
        }
        guard dWeight != nil || dInput != nil else { return }
        // dz[CO*4, N*P] gathered from dOutput's 2x2 blocks.
        let dz = workspace.scratch(co * 4 * n * p, slot: 1)
        compute.parallelism.forEach(n * co, minimumChunk: max(1, 4096 / max(1, 4 * p))) { row in
            let image = row / co, channel = row % co
            let src = dy + row * 4 * p
            for i in 0..<2 {
                for j in 0..<2 {
                    let dst = dz + (channel * 4 + 2 * i + j) * n * p + image * p
                    for iy in 0..<h {
                        let line = src + (2 * iy + i) * 2 * w + j, d = dst + iy * w
                        for ix in 0..<w { d[ix] = line[2 * ix] }
                    }
                }
            }
        }
        if let dWeight {   // dW[CI, CO*4] += x'[CI, N*P] dz[CO*4, N*P]^T
            let x = channelMajorInput(input, workspace: workspace, compute: compute)
            compute.gemm.multiply(transposeB: .transposed, m: ci, n: co * 4, k: n * p, a: x, b: dz, beta: 1, c: dWeight.data)
        }
        if let dInput {    // dx[CI, P] += W[CI, CO*4] dz[:, image's P], image by image in parallel
            let gemm = GEMM(runtime: compute.gemm.runtime)
            compute.parallelism.forEachChunk(n) { images in
                for image in images {
                    gemm.multiply(m: ci, n: p, k: co * 4, a: weight.data, b: dz + image * p, ldb: n * p, beta: 1,
                                  c: dInput.data + image * ci * p)
                }
            }
        }
    }

    /// The input as [CI, N*P] (the tensor itself when N == 1, else gathered into slot 0).
    static func channelMajorInput(_ input: Tensor, workspace: Workspace, compute: Compute) -> UnsafeMutablePointer<Float> {
        if input.n == 1 { return input.data }
        let x = workspace.scratch(input.count, slot: 0)
        ChannelMajor.gather(input.data, n: input.n, c: input.c, p: input.h * input.w, into: x, parallelism: compute.parallelism)
        return x
    }
}

/// A 2x2 stride-2 deconv bound to `name.weight` [CI, CO, 2, 2] and `name.bias` [CO].
public struct ConvTranspose2x2Layer: Sendable {
    public let inChannels: Int, outChannels: Int
    public let weight: Parameter, bias: Parameter

    public init(_ name: String, inChannels: Int, outChannels: Int, layout: inout ParameterLayout, frozen: Bool = false) {
        self.inChannels = inChannels; self.outChannels = outChannels
        weight = layout.add("\(name).weight", shape: [inChannels, outChannels, 2, 2], frozen: frozen)
        bias = layout.add("\(name).bias", shape: [outChannels], frozen: frozen)
    }

    /// Kaiming normal, fan-out, relu (mmdet's mask head deconv init), zero bias. For a
    /// [CI, CO, 2, 2] weight PyTorch's "fan_out" is CI * 4.
    public func initialize(_ store: ParameterStore, random: inout SeededRandom) {
        store.value(weight).fillNormal(std: (2 / Float(inChannels * 4)).squareRoot(), random: &random)
        store.initialize(bias, .zeros, random: &random)
    }

    @discardableResult
    public func forward(_ input: Tensor, output: Tensor, store: ParameterStore, compute: Compute,
                        workspace: Workspace) -> ConvTranspose2x2.Saved {
        ConvTranspose2x2.forward(input: input, weight: store.value(weight), bias: store.value(bias), output: output,
                                 compute: compute, workspace: workspace)
    }

    public func backward(_ dOutput: Tensor, saved: ConvTranspose2x2.Saved, dInput: Tensor?, store: ParameterStore,
                         compute: Compute, workspace: Workspace) {
        ConvTranspose2x2.backward(dOutput: dOutput, saved: saved, weight: store.value(weight), dInput: dInput,
                                  dWeight: store.isFrozen(weight) ? nil : store.gradient(weight),
                                  dBias: store.isFrozen(bias) ? nil : store.gradient(bias),
                                  compute: compute, workspace: workspace)
    }
}
