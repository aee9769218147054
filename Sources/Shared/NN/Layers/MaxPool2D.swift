// Max pooling with a square window (3x3/2 pad 1 after the stem, 1x1/2 for FPN's P6).
// Padding never wins (it is -infinity, as in PyTorch). Forward records the winning input
// index of each output pixel; backward routes the gradient there.
//
// Legend: N = batch, C = channels, H x W = input, OH x OW = output, KS = window, S = stride,
// P = padding. input [N, C, H, W], output [N, C, OH, OW], argmax [N*C*OH*OW] (index within
// the input plane).
import CKernels
import SharedSupport
@_spi(Kernels) import SharedTensor

public struct MaxPoolShape: Sendable, Equatable {
    public let kernel: Int, stride: Int, padding: Int

    public init(kernel: Int, stride: Int, padding: Int = 0) {
        precondition(kernel > 0 && stride > 0 && padding >= 0 && padding * 2 <= kernel, "bad max-pool shape")
        self.kernel = kernel; self.stride = stride; self.padding = padding
    }

    public func outputShape(input: [Int]) -> [Int] {
        precondition(input.count == 4, "max-pool expects NCHW, got \(input)")
        return [input[0], input[1], (input[2] + 2 * padding - kernel) / stride + 1,
                (input[3] + 2 * padding - kernel) / stride + 1]
    }
}

public enum MaxPool2D {
    /// What backward needs: the input shape and the argmax of every output pixel.
    public struct Saved: Sendable {
        public let inputShape: [Int]
        public let argmax: [Int32]
    }

    /// `isa`: the code path of the 3x3/2 pad-1 kernel (one the host runs).
    @discardableResult
    public static func forward(input: Tensor, output: Tensor, shape: MaxPoolShape, compute: Compute,
                               isa: VectorISA = VectorExtensions.isa) -> Saved {
        precondition(output.shape == shape.outputShape(input: input.shape), "max-pool output \(output.shape)")
        let h = input.h, w = input.w, oh = output.h, ow = output.w
        let k = shape.kernel, s = shape.stride, p = shape.padding
        // Every element is written below, so the array is not zero-filled first.
        let argmax = [Int32](unsafeUninitializedCapacity: output.count) { arg, initialized in
            initialized = output.count
            guard let arg = arg.baseAddress else { return }
            let x = input.data, y = output.data
            compute.parallelism.forEach(input.n * input.c, minimumChunk: max(1, 4096 / max(1, h * w))) { plane in
                let src = x + plane * h * w, dst = y + plane * oh * ow, idx = arg + plane * oh * ow
                if k == 3 && s == 2 && p == 1 {
                    switch isa {
                    case .avx512: ck_max_pool_3x3_stride2_plane_avx512(src, h, w, dst, idx, oh, ow)
                    case .avx2: ck_max_pool_3x3_stride2_plane_avx2(src, h, w, dst, idx, oh, ow)
                    case .baseline: pool3x3Stride2(src, h: h, w: w, dst: dst, argmax: idx, oh: oh, ow: ow)
                    }
                    return
                }
                for oy in 0..<oh {
                    let y0 = Swift.max(0, oy * s - p), y1 = Swift.min(h, oy * s - p + k)
                    for ox in 0..<ow {
                        let x0 = Swift.max(0, ox * s - p), x1 = Swift.min(w, ox * s - p + k)
                        // Branch-free scan (selects, not jumps: comparisons of data are
                        // unpredictable); the first maximum in scan order wins, as in PyTorch.
                        var best = -Float.infinity, bestIndex = y0 * w + x0
                        for iy in y0..<y1 {
                            let line = src + iy * w
                            for ix in x0..<x1 {
                                let v = line[ix], better = v > best
                                best = better ? v : best
                                bestIndex = better ? iy * w + ix : bestIndex
                            }
                        }
                        dst[oy * ow + ox] = best
                        idx[oy * ow + ox] = Int32(bestIndex)
                    }
                }
            }
        }
        return Saved(inputShape: input.shape, argmax: argmax)
    }

    /// Naive max-pool (the test oracle): output and argmax by the definition.
    public static func forwardReference(input: Tensor, shape: MaxPoolShape) -> (output: Tensor, argmax: [Int32]) {
        let output = Tensor(shape: shape.outputShape(input: input.shape))
        var argmax = [Int32](repeating: 0, count: output.count)
        let k = shape.kernel, s = shape.stride, p = shape.padding
        for plane in 0..<(input.n * input.c) {
            for oy in 0..<output.h {
                for ox in 0..<output.w {
                    var best = -Float.infinity, bestIndex = -1
                    for ky in 0..<k {
                        for kx in 0..<k {
                            let iy = oy * s - p + ky, ix = ox * s - p + kx
                            guard iy >= 0 && iy < input.h && ix >= 0 && ix < input.w else { continue }
                            let v = input.data[plane * input.h * input.w + iy * input.w + ix]
                            if bestIndex < 0 || v > best { best = v; bestIndex = iy * input.w + ix }
                        }
                    }
                    let o = plane * output.h * output.w + oy * output.w + ox
                    output.data[o] = best
                    argmax[o] = Int32(bestIndex)
                }
            }
        }
        return (output, argmax)
    }

    /// dInput[argmax] += dOutput.
    public static func backward(dOutput: Tensor, saved: Saved, dInput: Tensor, compute: Compute) {
        precondition(dInput.shape == saved.inputShape && dOutput.count == saved.argmax.count, "max-pool gradient shapes")
        let planeIn = dInput.h * dInput.w, planeOut = dOutput.h * dOutput.w
        saved.argmax.withUnsafeBufferPointer { arg in
            let arg = arg.baseAddress!, dy = dOutput.data, dx = dInput.data
            compute.parallelism.forEach(dInput.n * dInput.c, minimumChunk: max(1, 4096 / max(1, planeIn))) { plane in
                let g = dy + plane * planeOut, idx = arg + plane * planeOut, d = dx + plane * planeIn
                for i in 0..<planeOut { d[Int(idx[i])] += g[i] }
            }
        }
    }
}
