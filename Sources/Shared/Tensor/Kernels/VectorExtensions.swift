// Which kernels the dispatchers of Tensor and NN call: the process's vector code path
// (`VectorISA.active`: the best the CPU runs, or a lower one from LOCE_ISA). The Swift code
// targets baseline x86-64 (SSE), so the AVX2 and AVX-512 kernels of CKernels are chosen per
// call from this value; their Swift twins stay the baseline path and the test oracle.
import SharedSupport

public enum VectorExtensions {
    /// The code path of this process. Dispatchers take it as a defaulted `isa:` argument,
    /// so tests can run every path the host supports (`VectorISA.hostSupported`) in turn.
    public static let isa: VectorISA = VectorISA.active
}
