// Which wide vector instructions this CPU offers, checked once at run time. The Swift code
// targets baseline x86-64 (SSE), so the AVX-512 kernels of CKernels are chosen per call
// by testing this flag; their Swift twins stay the fallback and the test oracle.
import CKernels

public enum VectorExtensions {
    /// AVX-512F is present and enabled by the OS: the `ck_*_avx512` kernels may run.
    public static let avx512: Bool = ck_cpu_has_avx512f()
}
