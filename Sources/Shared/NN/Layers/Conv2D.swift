// 2-D convolution (dilation 1, no groups) as im2col + sgemm, small images batched into
// one GEMM; a 1x1 stride-1 unpadded convolution is a GEMM on the input directly; 3x3
// stride-1 pad-1 layers with enough channels and tiles by Winograd (Conv2D+Winograd.swift).
//
// Legend: N = batch, C = input channels, H x W = input size, M = output channels,
// KH x KW = kernel, OH x OW = output size, K = C*KH*KW, L = OH*OW.
// input [N, C, H, W], weight [M, C, KH, KW] (PyTorch layout), bias [M],
// output [N, M, OH, OW]. Images go through in groups of G (G*L >= 2048 columns, G <= N):
// scratch col [K, G*L], and for G > 1 a product / dY matrix [M, G*L].
import SharedSupport
@_spi(Kernels) import SharedTensor

/// Sizes of a convolution.
public struct Conv2DShape: Sendable, Equatable {
    public let inChannels: Int, outChannels: Int
    public let kernelH: Int, kernelW: Int
    public let stride: Int, padding: Int

    public init(inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0) {
        self.init(inChannels: inChannels, outChannels: outChannels, kernelH: kernel, kernelW: kernel, stride: stride, padding: padding)
    }

    public init(inChannels: Int, outChannels: Int, kernelH: Int, kernelW: Int, stride: Int, padding: Int) {
        precondition(inChannels > 0 && outChannels > 0 && kernelH > 0 && kernelW > 0 && stride > 0 && padding >= 0,
                     "bad convolution shape")
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernelH = kernelH; self.kernelW = kernelW; self.stride = stride; self.padding = padding
    }

    public var weightShape: [Int] { [outChannels, inChannels, kernelH, kernelW] }

    /// True for the 1x1, stride-1, unpadded case computed without im2col.
    public var isPointwise: Bool { kernelH == 1 && kernelW == 1 && stride == 1 && padding == 0 }

    public func window(height: Int, width: Int) -> ConvWindow {
        ConvWindow(channels: inChannels, height: height, width: width, kernelH: kernelH, kernelW: kernelW,
                   stride: stride, padding: padding)
    }

    /// Output shape for an input [N, C, H, W].
    public func outputShape(input: [Int]) -> [Int] {
        precondition(input.count == 4 && input[1] == inChannels, "conv expects [N, \(inChannels), H, W], got \(input)")
        let window = window(height: input[2], width: input[3])
        return [input[0], outChannels, window.outputHeight, window.outputWidth]
    }

    /// Multiply-adds x 2 of one forward pass for an input [N, C, H, W].
    public func forwardFLOPs(input: [Int]) -> Double {
        let out = outputShape(input: input)
        return 2 * Double(out[0] * out[2] * out[3]) * Double(outChannels * inChannels * kernelH * kernelW)
    }
}

public enum Conv2D {
    /// What backward needs: the input (im2col is recomputed, trading FLOP-free memory
    /// traffic for not keeping a K x L matrix per layer alive).
    public struct Saved: @unchecked Sendable {
        public let input: Tensor
    }

    /// output = conv(input, weight) + bias (overwrites output).
    @discardableResult
    public static func forward(input: Tensor, weight: Tensor, bias: Tensor?, output: Tensor, shape: Conv2DShape,
                               compute: Compute, workspace: Workspace) -> Saved {
        let outShape = shape.outputShape(input: input.shape)
        precondition(output.shape == outShape, "conv output \(output.shape), expected \(outShape)")
        precondition(weight.shape == shape.weightShape, "conv weight \(weight.shape), expected \(shape.weightShape)")
        if usesWinograd(shape, input: input.shape) {
            winogradForward(input: input, weight: weight, output: output, shape: shape, compute: compute, workspace: workspace)
        } else {
            im2colForward(input: input, weight: weight, output: output, shape: shape, compute: compute, workspace: workspace)
        }
        if let bias { addBias(bias, to: output, compute: compute) }
        return Saved(input: input)
    }

    /// output = conv(input, weight) by GEMMs (any shape; no bias).
    static func im2colForward(input: Tensor, weight: Tensor, output: Tensor, shape: Conv2DShape, compute: Compute,
                              workspace: Workspace) {
        let n = input.n, m = shape.outChannels
        let window = shape.window(height: input.h, width: input.w)
        let k = window.rows, l = window.columns
        if shape.isPointwise {
            for image in 0..<n {
                compute.gemm.multiply(m: m, n: l, k: k, a: weight.data, b: input.data + image * k * l,
                                      c: output.data + image * m * l)
            }
            return
        }
        // Images in groups of g: one im2col matrix [K, g*L] and one GEMM per group.
        let g = imagesPerGEMM(n: n, columns: l)
        let col = workspace.scratch(k * g * l, slot: 0)
        let planeSize = input.c * input.h * input.w
        for first in stride(from: 0, to: n, by: g) {
            let count = min(g, n - first)
            im2colGroup(input.data + first * planeSize, count: count, planeSize: planeSize, window, col: col,
                        parallelism: compute.parallelism)
            let y = output.data + first * m * l
            if count == 1 {
                compute.gemm.multiply(m: m, n: l, k: k, a: weight.data, b: col, c: y)
            } else {
                let product = workspace.scratch(m * g * l, slot: 1)
                compute.gemm.multiply(m: m, n: count * l, k: k, a: weight.data, b: col, c: product)
                ChannelMajor.scatter(product, n: count, c: m, p: l, into: y, parallelism: compute.parallelism)
            }
        }
    }

    /// dInput += conv^T(dOutput), dWeight += dOutput (x) im2col(input), dBias += sum(dOutput).
    public static func backward(dOutput: Tensor, saved: Saved, weight: Tensor, dInput: Tensor?, dWeight: Tensor?,
                                dBias: Tensor?, shape: Conv2DShape, compute: Compute, workspace: Workspace) {
        let input = saved.input
        precondition(dOutput.shape == shape.outputShape(input: input.shape), "conv dOutput shape \(dOutput.shape)")
        if let dBias { biasGradient(dOutput, into: dBias, compute: compute) }
        if usesWinograd(shape, input: input.shape) {
            if let dWeight {
                winogradWeightGradient(input: input, dOutput: dOutput, dWeight: dWeight, shape: shape, compute: compute,
                                       workspace: workspace)
            }
            if let dInput {
                winogradInputGradient(dOutput: dOutput, weight: weight, dInput: dInput, shape: shape, compute: compute,
                                      workspace: workspace)
            }
        } else {
            im2colBackward(dOutput: dOutput, input: input, weight: weight, dInput: dInput, dWeight: dWeight, shape: shape,
                           compute: compute, workspace: workspace)
        }
    }

    /// dInput += conv^T(dOutput), dWeight += dOutput (x) im2col(input) by GEMMs (any shape).
    static func im2colBackward(dOutput: Tensor, input: Tensor, weight: Tensor, dInput: Tensor?, dWeight: Tensor?,
                               shape: Conv2DShape, compute: Compute, workspace: Workspace) {
        let n = input.n, m = shape.outChannels
        let window = shape.window(height: input.h, width: input.w)
        let k = window.rows, l = window.columns
        if shape.isPointwise {
            for image in 0..<n {
                let dy = dOutput.data + image * m * l
                if let dWeight {   // dW[M, C] += dy[M, L] x[C, L]^T
                    compute.gemm.multiply(transposeB: .transposed, m: m, n: k, k: l, a: dy, b: input.data + image * k * l,
                                          beta: 1, c: dWeight.data)
                }
                if let dInput {    // dx[C, L] += W[M, C]^T dy[M, L]
                    compute.gemm.multiply(transposeA: .transposed, m: k, n: l, k: m, a: weight.data, b: dy,
                                          beta: 1, c: dInput.data + image * k * l)
                }
            }
            return
        }
        let g = imagesPerGEMM(n: n, columns: l)
        let col = workspace.scratch(k * g * l, slot: 0)
        let planeSize = input.c * input.h * input.w
        for first in stride(from: 0, to: n, by: g) {
            let count = min(g, n - first)
            // dY of the group in channel-major [M, count*L] (dOutput itself for one image).
            let dy: UnsafePointer<Float>
            if count == 1 {
                dy = UnsafePointer(dOutput.data + first * m * l)
            } else {
                let gathered = workspace.scratch(m * g * l, slot: 1)
                ChannelMajor.gather(dOutput.data + first * m * l, n: count, c: m, p: l, into: gathered,
                                    parallelism: compute.parallelism)
                dy = UnsafePointer(gathered)
            }
            if let dWeight {   // dW[M, K] += dY[M, count*L] col[K, count*L]^T
                im2colGroup(input.data + first * planeSize, count: count, planeSize: planeSize, window, col: col,
                            parallelism: compute.parallelism)
                compute.gemm.multiply(transposeB: .transposed, m: m, n: k, k: count * l, a: dy, b: col, beta: 1,
                                      c: dWeight.data)
            }
            if let dInput {    // dcol[K, count*L] = W[M, K]^T dY, then col2im per image
                compute.gemm.multiply(transposeA: .transposed, m: k, n: count * l, k: m, a: weight.data, b: dy, c: col)
                if count == 1 {
                    Im2Col.col2im(col, ldCol: l, window, image: dInput.data + first * planeSize, parallelism: compute.parallelism)
                } else {   // one image per thread (each writes only its own image)
                    compute.parallelism.forEach(count) { image in
                        Im2Col.col2im(col + image * l, ldCol: count * l, window,
                                      image: dInput.data + (first + image) * planeSize, parallelism: .serial)
                    }
                }
            }
        }
    }

    /// The im2col matrix [K, count*L] of `count` consecutive images: one image split across
    /// the threads, or several images one per thread (small maps: one dispatch, not one per image).
    static func im2colGroup(_ images: UnsafePointer<Float>, count: Int, planeSize: Int, _ window: ConvWindow,
                            col: UnsafeMutablePointer<Float>, parallelism: Parallelism) {
        let l = window.columns
        if count == 1 {
            Im2Col.im2col(images, window, col: col, ldCol: l, parallelism: parallelism)
            return
        }
        parallelism.forEach(count) { image in
            Im2Col.im2col(images + image * planeSize, window, col: col + image * l, ldCol: count * l, parallelism: .serial)
        }
    }

    /// Columns one GEMM should have at least (below this, BLAS runs far from peak).
    public static let minimumGEMMColumns = 2048

    /// How many images share one im2col matrix and GEMM: enough for `minimumGEMMColumns`
    /// columns, no more (bigger groups only cost scratch memory and cache misses).
    public static func imagesPerGEMM(n: Int, columns: Int) -> Int {
        max(1, min(n, (minimumGEMMColumns + columns - 1) / max(1, columns)))
    }

    /// output[n, m, :] += bias[m].
    static func addBias(_ bias: Tensor, to output: Tensor, compute: Compute) {
        let m = output.c, plane = output.h * output.w
        compute.parallelism.forEach(output.n * m, minimumChunk: max(1, 16384 / max(1, plane))) { row in
            Elementwise.addScalar(bias.data[row % m], to: output.data + row * plane, count: plane)
        }
    }

    /// dBias[m] += sum over n, pixels of dOutput[n, m, :].
    static func biasGradient(_ dOutput: Tensor, into dBias: Tensor, compute: Compute) {
        let m = dOutput.c, plane = dOutput.h * dOutput.w, n = dOutput.n
        compute.parallelism.forEach(m, minimumChunk: max(1, 16384 / max(1, n * plane))) { channel in
            var total: Float = 0
            for image in 0..<n {
                total += Elementwise.sumFloat(dOutput.data + (image * m + channel) * plane, count: plane)
            }
            dBias.data[channel] += total
        }
    }
}
