// The row loops of stride-2 im2col and col2im (the stem, the 3x3/2 convolutions and the
// 1x1/2 downsampling): AVX-512 or AVX2 C kernels where the CPU has them (`VectorExtensions.isa`),
// Swift loops otherwise.
// Both give the same bits (a copy; one rounded add per element, in the same order).
import CKernels
import SharedSupport

extension Im2Col {
    /// dst[i] = src[2i] for i < count; reads nothing past src[2(count - 1)].
    /// On the path `isa` (one the host runs).
    @inlinable
    public static func gatherStride2(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int,
                                     isa: VectorISA = VectorExtensions.isa) {
        switch isa {
        case .avx512: ck_gather_stride2_avx512(src, dst, count)
        case .avx2: ck_gather_stride2_avx2(src, dst, count)
        case .baseline: gatherStride2Portable(src, into: dst, count: count)
        }
    }

    /// `gatherStride2` in Swift (the baseline path, and the oracle of the C kernels).
    @inlinable
    public static func gatherStride2Portable(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>,
                                             count: Int) {
        for i in 0..<count { dst[i] = src[2 * i] }
    }

    /// dst[2i] += src[i] for i < count; the odd elements of dst keep their bits (the avx2
    /// kernel writes them back unchanged, so no other thread may write them meanwhile) and
    /// nothing past dst[2(count - 1)] is touched. On the path `isa` (one the host runs).
    @inlinable
    public static func scatterAddStride2(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int,
                                         isa: VectorISA = VectorExtensions.isa) {
        switch isa {
        case .avx512: ck_scatter_add_stride2_avx512(src, dst, count)
        case .avx2: ck_scatter_add_stride2_avx2(src, dst, count)
        case .baseline: scatterAddStride2Portable(src, into: dst, count: count)
        }
    }

    /// `scatterAddStride2` in Swift (the baseline path, and the oracle of the C kernels).
    @inlinable
    public static func scatterAddStride2Portable(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>,
                                                 count: Int) {
        for i in 0..<count { dst[2 * i] += src[i] }
    }
}
