// im2col / col2im: unroll the receptive fields of one image into a matrix, so a
// convolution becomes one GEMM (and its input gradient one GEMM plus col2im).
//
// Legend: C = input channels, H x W = input size, KH x KW = kernel, S = stride,
// P = zero padding, OH x OW = output size, K = C*KH*KW (rows of col), L = OH*OW.
// image: [C, H, W]; col: [K, ldCol] with the L used columns first (ldCol >= L lets the
// columns of several images sit side by side in one batched matrix).
// Stride-1 rows run as AVX-512 or AVX2 C kernels where the CPU has them (CKernelsIm2ColRows.h,
// chosen by `isa`; bit-identical to the loops below, which stay the baseline path).
import CKernels
import SharedSupport

/// Geometry of a 2-D convolution window over one image.
public struct ConvWindow: Sendable, Equatable {
    public let channels: Int, height: Int, width: Int
    public let kernelH: Int, kernelW: Int
    public let stride: Int, padding: Int

    public init(channels: Int, height: Int, width: Int, kernelH: Int, kernelW: Int, stride: Int, padding: Int) {
        precondition(channels > 0 && height > 0 && width > 0 && kernelH > 0 && kernelW > 0 && stride > 0 && padding >= 0,
                     "bad convolution window")
        self.channels = channels; self.height = height; self.width = width
        self.kernelH = kernelH; self.kernelW = kernelW; self.stride = stride; self.padding = padding
    }

    public var outputHeight: Int { (height + 2 * padding - kernelH) / stride + 1 }
    public var outputWidth: Int { (width + 2 * padding - kernelW) / stride + 1 }
    /// Rows of col: C * KH * KW.
    public var rows: Int { channels * kernelH * kernelW }
    /// Used columns of col: OH * OW.
    public var columns: Int { outputHeight * outputWidth }

    /// The output columns ox for which input column ox*S - P + kx lies inside [0, W).
    @inlinable
    func validColumns(kx: Int) -> Range<Int> {
        let ow = outputWidth
        // ox*S >= P - kx  and  ox*S <= W - 1 + P - kx
        let low = max(0, (padding - kx + stride - 1) / stride)
        let highInclusive = (width - 1 + padding - kx)
        let high = highInclusive < 0 ? 0 : min(ow, highInclusive / stride + 1)
        return low..<max(low, high)
    }
}

public enum Im2Col {
    /// col[K, ldCol] (first L columns) = the unrolled windows of image[C, H, W].
    /// Rows are split across threads. `isa`: the code path (one the host runs).
    public static func im2col(_ image: UnsafePointer<Float>, _ window: ConvWindow,
                              col: UnsafeMutablePointer<Float>, ldCol: Int, parallelism: Parallelism,
                              isa: VectorISA = VectorExtensions.isa) {
        let oh = window.outputHeight, ow = window.outputWidth
        let h = window.height, w = window.width, s = window.stride, p = window.padding
        let kernelArea = window.kernelH * window.kernelW
        precondition(ldCol >= oh * ow, "ldCol smaller than the output size")
        parallelism.forEach(window.rows, minimumChunk: max(1, 8192 / max(1, oh * ow))) { row in
            let c = row / kernelArea, ky = (row % kernelArea) / window.kernelW, kx = row % window.kernelW
            let plane = image + c * h * w
            let out = col + row * ldCol
            if s == 1 && isa != .baseline {   // the whole row at once: plain loads inside, masked at the edges
                if isa == .avx512 {
                    ck_im2col_stride1_row_avx512(plane, h, w, oh, ow, p, ky, kx, out)
                } else {
                    ck_im2col_stride1_row_avx2(plane, h, w, oh, ow, p, ky, kx, out)
                }
                return
            }
            let valid = window.validColumns(kx: kx)
            for oy in 0..<oh {
                let dst = out + oy * ow
                let iy = oy * s - p + ky
                if iy < 0 || iy >= h {
                    dst.update(repeating: 0, count: ow)
                    continue
                }
                if valid.lowerBound > 0 { dst.update(repeating: 0, count: valid.lowerBound) }
                if valid.upperBound < ow { (dst + valid.upperBound).update(repeating: 0, count: ow - valid.upperBound) }
                let src = plane + iy * w - p + kx
                if s == 1 {
                    (dst + valid.lowerBound).update(from: src + valid.lowerBound, count: valid.count)
                } else if s == 2 {
                    gatherStride2(src + 2 * valid.lowerBound, into: dst + valid.lowerBound, count: valid.count, isa: isa)
                } else {
                    for ox in valid { dst[ox] = src[ox * s] }
                }
            }
        }
    }

    /// image[C, H, W] += the columns of col[K, ldCol] summed back onto the pixels they came
    /// from (the adjoint of `im2col`). Channels are split across threads (no write races).
    /// `isa`: the code path (one the host runs).
    public static func col2im(_ col: UnsafePointer<Float>, ldCol: Int, _ window: ConvWindow,
                              image: UnsafeMutablePointer<Float>, parallelism: Parallelism,
                              isa: VectorISA = VectorExtensions.isa) {
        let oh = window.outputHeight, ow = window.outputWidth
        let h = window.height, w = window.width, s = window.stride, p = window.padding
        let kh = window.kernelH, kw = window.kernelW
        parallelism.forEach(window.channels, minimumChunk: max(1, 4096 / max(1, h * w))) { c in
            let plane = image + c * h * w
            for ky in 0..<kh {
                for kx in 0..<kw {
                    let row = (c * kh + ky) * kw + kx
                    let src = col + row * ldCol
                    if s == 1 && isa != .baseline {   // the whole row, output rows in the same order
                        if isa == .avx512 {
                            ck_col2im_stride1_row_avx512(src, h, w, oh, ow, p, ky, kx, plane)
                        } else {
                            ck_col2im_stride1_row_avx2(src, h, w, oh, ow, p, ky, kx, plane)
                        }
                        continue
                    }
                    let valid = window.validColumns(kx: kx)
                    for oy in 0..<oh {
                        let iy = oy * s - p + ky
                        if iy < 0 || iy >= h { continue }
                        let dst = plane + iy * w - p + kx
                        let line = src + oy * ow
                        if s == 1 {
                            Elementwise.accumulate(line + valid.lowerBound, into: dst + valid.lowerBound, count: valid.count,
                                                   isa: isa)
                        } else if s == 2 {
                            scatterAddStride2(line + valid.lowerBound, into: dst + 2 * valid.lowerBound, count: valid.count,
                                              isa: isa)
                        } else {
                            for ox in valid { dst[ox * s] += line[ox] }
                        }
                    }
                }
            }
        }
    }

    /// Naive im2col (the oracle for `im2col`): col[K, L].
    public static func im2colReference(_ image: [Float], _ window: ConvWindow) -> [Float] {
        let oh = window.outputHeight, ow = window.outputWidth
        var col = [Float](repeating: 0, count: window.rows * oh * ow)
        for c in 0..<window.channels {
            for ky in 0..<window.kernelH {
                for kx in 0..<window.kernelW {
                    let row = (c * window.kernelH + ky) * window.kernelW + kx
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            let iy = oy * window.stride - window.padding + ky
                            let ix = ox * window.stride - window.padding + kx
                            if iy >= 0 && iy < window.height && ix >= 0 && ix < window.width {
                                col[row * oh * ow + oy * ow + ox] = image[(c * window.height + iy) * window.width + ix]
                            }
                        }
                    }
                }
            }
        }
        return col
    }

    /// Naive col2im (the oracle for `col2im`): returns image + adjoint(col).
    public static func col2imReference(_ col: [Float], _ window: ConvWindow, image: [Float]) -> [Float] {
        let oh = window.outputHeight, ow = window.outputWidth
        var out = image
        for c in 0..<window.channels {
            for ky in 0..<window.kernelH {
                for kx in 0..<window.kernelW {
                    let row = (c * window.kernelH + ky) * window.kernelW + kx
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            let iy = oy * window.stride - window.padding + ky
                            let ix = ox * window.stride - window.padding + kx
                            if iy >= 0 && iy < window.height && ix >= 0 && ix < window.width {
                                out[(c * window.height + iy) * window.width + ix] += col[row * oh * ow + oy * ow + ox]
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
