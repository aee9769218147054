// The fast path of the stem's 3x3 stride-2 pad-1 max-pool in Swift SIMD, 16 output pixels
// per step; the baseline path and the test oracle of the AVX-512 and AVX2 C kernels, which
// mirror it (ck_max_pool_3x3_stride2_plane_avx512, _avx2). The scalar scan is latency-bound (each compare
// waits for the previous maximum); here 16 independent maxima advance together. Input
// columns 2*ox - 1 + kx of 16 consecutive outputs are the even/odd halves of 32 inputs.
//
// Legend: H x W = input plane, OH x OW = output plane; src [H, W], dst/argmax [OH, OW].
@_spi(Kernels) import SharedTensor

extension MaxPool2D {
    /// Pools one plane with a 3x3 window, stride 2, padding 1 (the caller checks the shape).
    @inlinable
    static func pool3x3Stride2(_ src: UnsafePointer<Float>, h: Int, w: Int, dst: UnsafeMutablePointer<Float>,
                               argmax: UnsafeMutablePointer<Int32>, oh: Int, ow: Int) {
        // A vector chunk at ox0 reads input columns 2*ox0 - 1 ... 2*ox0 + 31.
        let lastChunk = (w - 32) / 2   // largest ox0 with 2*ox0 + 31 < W
        for oy in 0..<oh {
            let y0 = max(0, 2 * oy - 1), y1 = min(h, 2 * oy + 2)
            var ox = 0
            while ox < ow {
                if ox >= 1 && ox + 16 <= ow && ox <= lastChunk {
                    chunk3x3Stride2(src, w: w, y0: y0, y1: y1, ox0: ox, dst: dst + oy * ow, argmax: argmax + oy * ow)
                    ox += 16
                } else if ox >= 1 && ow - 16 >= 1 && ow - 16 <= lastChunk && ox > ow - 16 {
                    // The tail as one overlapping chunk (recomputing a few outputs is harmless).
                    chunk3x3Stride2(src, w: w, y0: y0, y1: y1, ox0: ow - 16, dst: dst + oy * ow, argmax: argmax + oy * ow)
                    ox = ow
                } else {
                    single3x3Stride2(src, w: w, y0: y0, y1: y1, ox: ox, dst: dst + oy * ow, argmax: argmax + oy * ow)
                    ox += 1
                }
            }
        }
    }

    /// Outputs ox0 ..< ox0 + 16 of one output row (rows y0 ..< y1 of the input).
    @inlinable @inline(__always)
    static func chunk3x3Stride2(_ src: UnsafePointer<Float>, w: Int, y0: Int, y1: Int, ox0: Int,
                                dst: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>) {
        let lanes = SIMD16<Int32>(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30)
        let base = 2 * ox0 - 1
        var best = SIMD16<Float>(repeating: -.infinity), index = SIMD16<Int32>(repeating: 0)
        for iy in y0..<y1 {
            let row = src + iy * w + base
            let a = UnsafeRawPointer(row).loadUnaligned(as: SIMD32<Float>.self)        // columns base ... base+31
            let b = UnsafeRawPointer(row + 1).loadUnaligned(as: SIMD32<Float>.self)    // columns base+1 ... base+32
            let start = lanes &+ Int32(iy * w + base)
            let v0 = a.evenHalf, v1 = a.oddHalf, v2 = b.oddHalf
            let better0 = v0 .> best
            best.replace(with: v0, where: better0)
            index.replace(with: start, where: better0)
            let better1 = v1 .> best
            best.replace(with: v1, where: better1)
            index.replace(with: start &+ 1, where: better1)
            let better2 = v2 .> best
            best.replace(with: v2, where: better2)
            index.replace(with: start &+ 2, where: better2)
        }
        UnsafeMutableRawPointer(dst + ox0).storeBytes(of: best, as: SIMD16<Float>.self)
        UnsafeMutableRawPointer(argmax + ox0).storeBytes(of: index, as: SIMD16<Int32>.self)
    }

    /// Output ox of one output row, scalar (edges and narrow planes).
    @inlinable @inline(__always)
    static func single3x3Stride2(_ src: UnsafePointer<Float>, w: Int, y0: Int, y1: Int, ox: Int,
                                 dst: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>) {
        let x0 = max(0, 2 * ox - 1), x1 = min(w, 2 * ox + 2)
        var best = -Float.infinity, bestIndex = y0 * w + x0
        for iy in y0..<y1 {
            for ix in x0..<x1 {
                let v = src[iy * w + ix], better = v > best
                best = better ? v : best
                bestIndex = better ? iy * w + ix : bestIndex
            }
        }
        dst[ox] = best
        argmax[ox] = Int32(bestIndex)
    }
}
