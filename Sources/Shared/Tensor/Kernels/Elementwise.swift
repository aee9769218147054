// Elementwise kernels over flat float buffers: the building blocks that layers, losses and
// the optimizer share. Explicit 16-wide SIMD (one AVX-512 register) with a scalar tail:
// LLVM does not vectorise these loops by itself, since it cannot prove the pointers
// do not alias. Pointer versions are for hot code; Tensor versions check counts.
//
// Legend: count = number of elements; all buffers are contiguous. Any output may alias
// an input of the same index (out[i] depends only on inputs at i). `add`, `accumulate`,
// `addScalar`, `sumFloat`, `dotAndSum`, `scaleShift` and `shiftedMoments` run as
// bit-identical AVX-512 or AVX2 C kernels where the CPU has them (`isa:`, by default
// `VectorExtensions.isa`); their `…Portable` Swift twins are the baseline path and oracle.
import CKernels
import SharedSupport

public typealias Float16x = SIMD16<Float>

@inlinable @inline(__always)
public func load16(_ p: UnsafePointer<Float>) -> Float16x { UnsafeRawPointer(p).loadUnaligned(as: Float16x.self) }

@inlinable @inline(__always)
public func store16(_ v: Float16x, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: Float16x.self)
}

public enum Elementwise {
    /// out[i] = a[i] + b[i]
    @inlinable
    public static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                           into out: UnsafeMutablePointer<Float>, count: Int, isa: VectorISA = VectorExtensions.isa) {
        switch isa {
        case .avx512: ck_add_avx512(a, b, out, count)
        case .avx2: ck_add_avx2(a, b, out, count)
        case .baseline: addPortable(a, b, into: out, count: count)
        }
    }

    /// `add` in Swift SIMD (the baseline path and the oracle).
    @inlinable
    public static func addPortable(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                   into out: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count { store16(load16(a + i) + load16(b + i), out + i); i += 16 }
        while i < count { out[i] = a[i] + b[i]; i += 1 }
    }

    /// y[i] += alpha * x[i]
    @inlinable
    public static func axpy(alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count { store16(load16(y + i) + alpha * load16(x + i), y + i); i += 16 }
        while i < count { y[i] += alpha * x[i]; i += 1 }
    }

    /// y[i] += x[i]
    @inlinable
    public static func accumulate(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int,
                                  isa: VectorISA = VectorExtensions.isa) {
        switch isa {
        case .avx512: ck_accumulate_avx512(x, y, count)
        case .avx2: ck_accumulate_avx2(x, y, count)
        case .baseline: accumulatePortable(x, into: y, count: count)
        }
    }

    /// `accumulate` in Swift SIMD (the baseline path and the oracle).
    @inlinable
    public static func accumulatePortable(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count { store16(load16(y + i) + load16(x + i), y + i); i += 16 }
        while i < count { y[i] += x[i]; i += 1 }
    }

    /// x[i] *= alpha
    @inlinable
    public static func scale(_ x: UnsafeMutablePointer<Float>, by alpha: Float, count: Int) {
        var i = 0
        while i + 16 <= count { store16(load16(x + i) * alpha, x + i); i += 16 }
        while i < count { x[i] *= alpha; i += 1 }
    }

    /// out[i] = x[i] * scale + shift (multiply and add rounded separately), on the path
    /// `isa` (one the host runs).
    @inlinable
    public static func scaleShift(_ x: UnsafePointer<Float>, scale: Float, shift: Float,
                                  into out: UnsafeMutablePointer<Float>, count: Int, isa: VectorISA = VectorExtensions.isa) {
        switch isa {
        case .avx512: ck_scale_shift_avx512(x, scale, shift, out, count)
        case .avx2: ck_scale_shift_avx2(x, scale, shift, out, count)
        case .baseline: scaleShiftPortable(x, scale: scale, shift: shift, into: out, count: count)
        }
    }

    /// `scaleShift` in Swift SIMD (the baseline path, and the oracle of the C kernels).
    @inlinable
    public static func scaleShiftPortable(_ x: UnsafePointer<Float>, scale: Float, shift: Float,
                                          into out: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        let s = Float16x(repeating: scale), b = Float16x(repeating: shift)
        while i + 16 <= count { store16(load16(x + i) * s + b, out + i); i += 16 }
        while i < count { out[i] = x[i] * scale + shift; i += 1 }
    }

    /// x[i] += value
    @inlinable
    public static func addScalar(_ value: Float, to x: UnsafeMutablePointer<Float>, count: Int,
                                 isa: VectorISA = VectorExtensions.isa) {
        switch isa {
        case .avx512: ck_add_scalar_avx512(value, x, count)
        case .avx2: ck_add_scalar_avx2(value, x, count)
        case .baseline: addScalarPortable(value, to: x, count: count)
        }
    }

    /// `addScalar` in Swift SIMD (the baseline path and the oracle).
    @inlinable
    public static func addScalarPortable(_ value: Float, to x: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count { store16(load16(x + i) + value, x + i); i += 16 }
        while i < count { x[i] += value; i += 1 }
    }

    /// Sum of x in float, 16 partial sums (fast; for long buffers prefer `sum`).
    @inlinable
    public static func sumFloat(_ x: UnsafePointer<Float>, count: Int, isa: VectorISA = VectorExtensions.isa) -> Float {
        switch isa {
        case .avx512: return ck_sum_float_avx512(x, count)
        case .avx2: return ck_sum_float_avx2(x, count)
        case .baseline: return sumFloatPortable(x, count: count)
        }
    }

    /// `sumFloat` in Swift SIMD (the baseline path and the oracle: 16 lane sums, lanes added in
    /// order from -0, then the tail).
    @inlinable
    public static func sumFloatPortable(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var acc = Float16x(), i = 0
        while i + 16 <= count { acc += load16(x + i); i += 16 }
        var total = acc.sum()
        while i < count { total += x[i]; i += 1 }
        return total
    }

    /// (sum of a[i] * b[i], sum of a[i]) in float, 16 partial sums each.
    @inlinable
    public static func dotAndSum(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int,
                                 isa: VectorISA = VectorExtensions.isa) -> (dot: Float, sum: Float) {
        var dot: Float = 0, sum: Float = 0
        switch isa {
        case .avx512: ck_dot_and_sum_avx512(a, b, count, &dot, &sum)
        case .avx2: ck_dot_and_sum_avx2(a, b, count, &dot, &sum)
        case .baseline: return dotAndSumPortable(a, b, count: count)
        }
        return (dot, sum)
    }

    /// `dotAndSum` in Swift SIMD (the baseline path and the oracle).
    @inlinable
    public static func dotAndSumPortable(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                         count: Int) -> (dot: Float, sum: Float) {
        var d = Float16x(), s = Float16x(), i = 0
        while i + 16 <= count {
            let av = load16(a + i)
            d += av * load16(b + i); s += av
            i += 16
        }
        var dot = d.sum(), sum = s.sum()
        while i < count { dot += a[i] * b[i]; sum += a[i]; i += 1 }
        return (dot, sum)
    }

    /// Sum of (x[i] - center)^2 in float, 16 partial sums.
    @inlinable
    public static func sumSquaredDeviations(_ x: UnsafePointer<Float>, center: Float, count: Int) -> Float {
        var acc = Float16x(), i = 0
        let c = Float16x(repeating: center)
        while i + 16 <= count { let d = load16(x + i) - c; acc += d * d; i += 16 }
        var total = acc.sum()
        while i < count { let d = x[i] - center; total += d * d; i += 1 }
        return total
    }

    /// (sum of (x[i] - shift), sum of (x[i] - shift)^2) in one pass, 16 partial sums each.
    /// With `shift` near the mean (e.g. x[0]) the variance from these is accurate.
    /// On the path `isa` (one the host runs).
    @inlinable
    public static func shiftedMoments(_ x: UnsafePointer<Float>, shift: Float, count: Int,
                                      isa: VectorISA = VectorExtensions.isa) -> (sum: Float, squares: Float) {
        var sum: Float = 0, squares: Float = 0
        switch isa {
        case .avx512: ck_shifted_moments_avx512(x, shift, count, &sum, &squares)
        case .avx2: ck_shifted_moments_avx2(x, shift, count, &sum, &squares)
        case .baseline: return shiftedMomentsPortable(x, shift: shift, count: count)
        }
        return (sum, squares)
    }

    /// `shiftedMoments` in Swift SIMD (the baseline path, and the oracle of the C kernels,
    /// which reproduce its lanes and order of additions exactly).
    @inlinable
    public static func shiftedMomentsPortable(_ x: UnsafePointer<Float>, shift: Float, count: Int) -> (sum: Float, squares: Float) {
        var s = Float16x(), q = Float16x(), i = 0
        let c = Float16x(repeating: shift)
        while i + 16 <= count { let d = load16(x + i) - c; s += d; q += d * d; i += 16 }
        var sum = s.sum(), squares = q.sum()
        while i < count { let d = x[i] - shift; sum += d; squares += d * d; i += 1 }
        return (sum, squares)
    }

    /// Sum of x (accumulated in Double for stability; slow, for losses and checks).
    @inlinable
    public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var total = 0.0
        for i in 0..<count { total += Double(x[i]) }
        return total
    }

    /// Dot product of x and y (accumulated in Double; slow, for losses and checks).
    @inlinable
    public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Double {
        var total = 0.0
        for i in 0..<count { total += Double(x[i]) * Double(y[i]) }
        return total
    }

    /// Runs `body(range)` over chunks of `0..<count` across the threads, chunks of at
    /// least 64k elements (memory-bound loops gain nothing from finer splits). Chunk
    /// bounds are multiples of 16 except the last, so SIMD loops stay aligned to vectors.
    @inlinable
    public static func parallelChunks(_ count: Int, _ parallelism: Parallelism, _ body: (Range<Int>) -> Void) {
        let blocks = (count + 15) / 16
        parallelism.forEachChunk(blocks, minimumChunk: 1 << 12) { range in
            body((range.lowerBound * 16)..<min(count, range.upperBound * 16))
        }
    }
}

extension Tensor {
    /// self += other (same count).
    public func accumulate(_ other: Tensor) {
        precondition(other.count == count, "accumulate \(other.shape) into \(shape)")
        Elementwise.accumulate(other.data, into: data, count: count)
    }

    /// self *= alpha.
    public func scale(by alpha: Float) { Elementwise.scale(data, by: alpha, count: count) }

    /// Sum of all elements, in Double.
    public func sum() -> Double { Elementwise.sum(data, count: count) }

    /// Dot product with `other` (same count), in Double.
    public func dot(_ other: Tensor) -> Double {
        precondition(other.count == count, "dot of \(shape) and \(other.shape)")
        return Elementwise.dot(data, other.data, count: count)
    }

    /// Largest absolute element (0 for an empty tensor).
    public func maxAbs() -> Float {
        var best: Float = 0
        for value in buffer { best = Swift.max(best, Swift.abs(value)) }
        return best
    }
}
