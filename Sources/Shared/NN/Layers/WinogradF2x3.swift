// The tile transforms of Winograd's minimal filtering F(2x2, 3x3) (Lavin & Gray, "Fast
// Algorithms for Convolutional Neural Networks", 2016): a 2x2 output tile of a 3x3
// correlation from a 4x4 input tile with 16 multiplications instead of 36,
//
//     Y = A^T [(G g G^T) (.) (B^T d B)] A,
//
// and the transposes that its gradients need. Every transform is a few additions and exact
// halvings, so the result differs from the direct convolution's by rounding only (a few
// units in the last place of the transformed values; the tests hold it to 1e-4).
//
// Layout: a plane is one channel of one image [H, W]; its tiles are the 2x2 output blocks
// (TH = ceil(H/2) rows of TW = ceil(W/2) tiles). Transformed tiles are stored as 16 matrices:
// value xi = 4i + j of tile t at `values[xi * stride + t]`.
//
// The three tile transforms run as AVX-512 or AVX2 C kernels (Sources/CKernels/winograd_f2x3.c,
// winograd_f2x3_avx2.c; 16 or 8 tiles per vector) where the CPU has them (`isa`); the Swift
// loops here are the baseline path and the kernels' oracle: the same operations in the same
// order, so the same bits.
import CKernels
import SharedSupport
@_spi(Kernels) import SharedTensor

enum WinogradF2x3 {
    /// Tiles per side for a side of `size` pixels.
    static func tiles(_ size: Int) -> Int { (size + 1) / 2 }

    /// Floats of `padded` scratch `transformInput` needs for `tileRows` rows of a plane `width` wide.
    static func paddedBandSize(tileRows: Int, width: Int) -> Int { (2 * tileRows + 2) * (2 * tiles(width) + 2) }

    /// V = B^T d B for the tiles of rows `tileRows` of a plane (input padded by 1 with zeros),
    /// tile t of the band (row-major) at `values[xi * stride + t]`.
    static func transformInput(plane: UnsafePointer<Float>, height h: Int, width w: Int, tileRows: Range<Int>,
                               values: UnsafeMutablePointer<Float>, stride: Int, padded: UnsafeMutablePointer<Float>,
                               isa: VectorISA = VectorExtensions.isa) {
        switch isa {
        case .avx512: ck_winograd_input_tiles_avx512(plane, h, w, tileRows.lowerBound, tileRows.upperBound, values, stride)
        case .avx2: ck_winograd_input_tiles_avx2(plane, h, w, tileRows.lowerBound, tileRows.upperBound, values, stride)
        case .baseline:
            transformInputPortable(plane: plane, height: h, width: w, tileRows: tileRows, values: values, stride: stride,
                                   padded: padded)
        }
    }

    /// `transformInput` in Swift (the baseline path, and the oracle of the C kernels).
    static func transformInputPortable(plane: UnsafePointer<Float>, height h: Int, width w: Int, tileRows: Range<Int>,
                                       values: UnsafeMutablePointer<Float>, stride: Int, padded: UnsafeMutablePointer<Float>) {
        let tw = tiles(w), pw = 2 * tw + 2, bandRows = 2 * tileRows.count + 2
        // The band's input rows 2*ty0 - 1 ..< 2*ty1 + 1, columns -1 ..< 2*TW + 1, zero outside the plane.
        for row in 0..<bandRows {
            let line = padded + row * pw
            let y = 2 * tileRows.lowerBound - 1 + row
            if y >= 0 && y < h {
                line[0] = 0
                (line + 1).update(from: plane + y * w, count: w)
                (line + 1 + w).update(repeating: 0, count: pw - 1 - w)
            } else {
                line.update(repeating: 0, count: pw)
            }
        }
        var t = 0
        for r in 0..<tileRows.count {
            let top = padded + 2 * r * pw
            for tx in 0..<tw {
                let p = top + 2 * tx
                let d0 = SIMD4(p[0], p[1], p[2], p[3])
                let d1 = SIMD4(p[pw], p[pw + 1], p[pw + 2], p[pw + 3])
                let d2 = SIMD4(p[2 * pw], p[2 * pw + 1], p[2 * pw + 2], p[2 * pw + 3])
                let d3 = SIMD4(p[3 * pw], p[3 * pw + 1], p[3 * pw + 2], p[3 * pw + 3])
                // B^T d, then (B^T d) B row by row.
                store(d0 - d2, row: 0, values + t, stride)
                store(d1 + d2, row: 1, values + t, stride)
                store(d2 - d1, row: 2, values + t, stride)
                store(d1 - d3, row: 3, values + t, stride)
                t += 1
            }
        }
    }

    @inline(__always)
    private static func store(_ r: SIMD4<Float>, row: Int, _ values: UnsafeMutablePointer<Float>, _ stride: Int) {
        let base = values + 4 * row * stride
        base[0] = r[0] - r[2]
        base[stride] = r[1] + r[2]
        base[2 * stride] = r[2] - r[1]
        base[3 * stride] = r[1] - r[3]
    }

    /// Y = A^T M A for the tiles of rows `tileRows`, written (or added, `accumulate`) into the
    /// plane's pixels that exist (the last tile row/column is cut off for odd sizes).
    static func transformOutput(values: UnsafePointer<Float>, stride: Int, tileRows: Range<Int>,
                                plane: UnsafeMutablePointer<Float>, height h: Int, width w: Int, accumulate: Bool,
                                isa: VectorISA = VectorExtensions.isa) {
        let (ty0, ty1) = (tileRows.lowerBound, tileRows.upperBound)
        switch isa {
        case .avx512: ck_winograd_output_tiles_avx512(values, stride, ty0, ty1, plane, h, w, accumulate)
        case .avx2: ck_winograd_output_tiles_avx2(values, stride, ty0, ty1, plane, h, w, accumulate)
        case .baseline:
            transformOutputPortable(values: values, stride: stride, tileRows: tileRows, plane: plane, height: h, width: w,
                                    accumulate: accumulate)
        }
    }

    /// `transformOutput` in Swift (the baseline path, and the oracle of the C kernels).
    static func transformOutputPortable(values: UnsafePointer<Float>, stride: Int, tileRows: Range<Int>,
                                        plane: UnsafeMutablePointer<Float>, height h: Int, width w: Int, accumulate: Bool) {
        let tw = tiles(w)
        var t = 0
        for ty in tileRows {
            for tx in 0..<tw {
                let m = values + t
                func row(_ i: Int) -> SIMD4<Float> {
                    SIMD4(m[4 * i * stride], m[(4 * i + 1) * stride], m[(4 * i + 2) * stride], m[(4 * i + 3) * stride])
                }
                let m0 = row(0), m1 = row(1), m2 = row(2), m3 = row(3)
                let s0 = m0 + m1 + m2, s1 = m1 - m2 - m3
                let y00 = s0[0] + s0[1] + s0[2], y01 = s0[1] - s0[2] - s0[3]
                let y10 = s1[0] + s1[1] + s1[2], y11 = s1[1] - s1[2] - s1[3]
                let y = 2 * ty, x = 2 * tx
                let top = plane + y * w + x
                let right = x + 1 < w, bottom = y + 1 < h
                if accumulate {
                    top[0] += y00
                    if right { top[1] += y01 }
                    if bottom { top[w] += y10; if right { top[w + 1] += y11 } }
                } else {
                    top[0] = y00
                    if right { top[1] = y01 }
                    if bottom { top[w] = y10; if right { top[w + 1] = y11 } }
                }
                t += 1
            }
        }
    }

    /// dM = A dY A^T for the tiles of rows `tileRows` of an output-gradient plane (pixels
    /// beyond it count as zero), tile t at `values[xi * stride + t]`.
    static func transformOutputGradient(plane: UnsafePointer<Float>, height h: Int, width w: Int, tileRows: Range<Int>,
                                        values: UnsafeMutablePointer<Float>, stride: Int,
                                        isa: VectorISA = VectorExtensions.isa) {
        let (ty0, ty1) = (tileRows.lowerBound, tileRows.upperBound)
        switch isa {
        case .avx512: ck_winograd_output_gradient_tiles_avx512(plane, h, w, ty0, ty1, values, stride)
        case .avx2: ck_winograd_output_gradient_tiles_avx2(plane, h, w, ty0, ty1, values, stride)
        case .baseline:
            transformOutputGradientPortable(plane: plane, height: h, width: w, tileRows: tileRows, values: values,
                                            stride: stride)
        }
    }

    /// `transformOutputGradient` in Swift (the baseline path, and the oracle of the C kernels).
    static func transformOutputGradientPortable(plane: UnsafePointer<Float>, height h: Int, width w: Int, tileRows: Range<Int>,
                                                values: UnsafeMutablePointer<Float>, stride: Int) {
        let tw = tiles(w)
        var t = 0
        for ty in tileRows {
            for tx in 0..<tw {
                let y = 2 * ty, x = 2 * tx
                let top = plane + y * w + x
                let right = x + 1 < w, bottom = y + 1 < h
                let y00 = top[0], y01: Float = right ? top[1] : 0
                let y10: Float = bottom ? top[w] : 0, y11: Float = bottom && right ? top[w + 1] : 0
                let v = values + t
                // Rows of A dY: (y0), (y0 + y1), (y0 - y1), (-y1); each row (p, q) times A^T.
                storeGradientRow(y00, y01, row: 0, v, stride)
                storeGradientRow(y00 + y10, y01 + y11, row: 1, v, stride)
                storeGradientRow(y00 - y10, y01 - y11, row: 2, v, stride)
                storeGradientRow(-y10, -y11, row: 3, v, stride)
                t += 1
            }
        }
    }

    @inline(__always)
    private static func storeGradientRow(_ p: Float, _ q: Float, row: Int, _ values: UnsafeMutablePointer<Float>,
                                         _ stride: Int) {
        let base = values + 4 * row * stride
        base[0] = p
        base[stride] = p + q
        base[2 * stride] = p - q
        base[3 * stride] = -q
    }

    /// U = G g G^T of one 3x3 kernel g (row-major; `flipped`: of g rotated by 180 degrees,
    /// the kernel of the input gradient), value xi at `u[xi * stride]`.
    static func transformKernel(_ g: UnsafePointer<Float>, flipped: Bool, into u: UnsafeMutablePointer<Float>,
                                stride: Int) {
        func row(_ i: Int) -> SIMD3<Float> {
            flipped ? SIMD3(g[8 - 3 * i], g[7 - 3 * i], g[6 - 3 * i]) : SIMD3(g[3 * i], g[3 * i + 1], g[3 * i + 2])
        }
        let g0 = row(0), g1 = row(1), g2 = row(2)
        // G g (rows g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2), then each row (a, b, c) times G^T.
        func store(_ r: SIMD3<Float>, _ i: Int) {
            let base = u + 4 * i * stride
            base[0] = r[0]
            base[stride] = (r[0] + r[1] + r[2]) * 0.5
            base[2 * stride] = (r[0] - r[1] + r[2]) * 0.5
            base[3 * stride] = r[2]
        }
        store(g0, 0)
        store((g0 + g1 + g2) * 0.5, 1)
        store((g0 - g1 + g2) * 0.5, 2)
        store(g2, 3)
    }

    /// dg += G^T dU G: the 3x3 kernel gradient (row-major) from the gradient of its 16
    /// transformed values (value xi at `du[xi * stride]`).
    static func accumulateKernelGradient(_ du: UnsafePointer<Float>, stride: Int, into dg: UnsafeMutablePointer<Float>) {
        func row(_ i: Int) -> SIMD4<Float> {
            SIMD4(du[4 * i * stride], du[(4 * i + 1) * stride], du[(4 * i + 2) * stride], du[(4 * i + 3) * stride])
        }
        let u0 = row(0), u1 = row(1), u2 = row(2), u3 = row(3)
        // G^T dU (rows u0 + (u1 + u2) / 2, (u1 - u2) / 2, (u1 + u2) / 2 + u3), then each row (a, b, c, d) times G.
        let half = (u1 + u2) * 0.5
        func add(_ r: SIMD4<Float>, _ i: Int) {
            let h = (r[1] + r[2]) * 0.5
            dg[3 * i] += r[0] + h
            dg[3 * i + 1] += (r[1] - r[2]) * 0.5
            dg[3 * i + 2] += h + r[3]
        }
        add(u0 + half, 0)
        add((u1 - u2) * 0.5, 1)
        add(half + u3, 2)
    }
}
