// Row-major float32 matrix multiply, C = alpha * op(A) * op(B) + beta * C, through the
// OpenBLAS loaded by `BLASRuntime`, plus the naive reference kernel the tests trust.
//
// Legend: M = rows of C, N = columns of C, K = the shared dimension.
// A is M x K (K x M when transposed), B is K x N (N x K when transposed), C is M x N.
import SharedSupport

/// Whether an operand is used as stored or transposed.
public enum MatrixTranspose: Sendable {
    case none, transposed

    @usableFromInline var cblas: Int32 { self == .none ? BLASRuntime.noTranspose : BLASRuntime.transpose }
}

/// The GEMM entry point of the engine. Holds the loaded BLAS; cheap to copy.
public struct GEMM: Sendable {
    public let runtime: BLASRuntime

    public init(runtime: BLASRuntime) { self.runtime = runtime }

    /// Loads (once per process) the best OpenBLAS kernel for this CPU.
    public static func load() throws -> GEMM { GEMM(runtime: try BLASRuntime.shared) }

    /// C[M x N] = alpha * op(A) * op(B) + beta * C, all row-major.
    /// Leading dimensions default to the dense row lengths.
    @inlinable
    public func multiply(transposeA: MatrixTranspose = .none, transposeB: MatrixTranspose = .none,
                         m: Int, n: Int, k: Int, alpha: Float = 1,
                         a: UnsafePointer<Float>, lda: Int? = nil,
                         b: UnsafePointer<Float>, ldb: Int? = nil,
                         beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil) {
        precondition(m >= 0 && n >= 0 && k >= 0, "negative GEMM size")
        guard m > 0 && n > 0 else { return }
        let lda = lda ?? (transposeA == .none ? k : m)
        let ldb = ldb ?? (transposeB == .none ? n : k)
        let ldc = ldc ?? n
        runtime.sgemm(BLASRuntime.rowMajor, transposeA.cblas, transposeB.cblas,
                      Int32(m), Int32(n), Int32(k), alpha, a, Int32(max(1, lda)), b, Int32(max(1, ldb)),
                      beta, c, Int32(max(1, ldc)))
    }

    /// Arrays version of `multiply`, for tests and small problems.
    public func multiply(transposeA: MatrixTranspose = .none, transposeB: MatrixTranspose = .none,
                         m: Int, n: Int, k: Int, alpha: Float = 1, a: [Float], b: [Float],
                         beta: Float = 0, c: inout [Float]) {
        precondition(a.count >= m * k && b.count >= k * n && c.count >= m * n, "GEMM operand too small")
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                             a: a.baseAddress!, b: b.baseAddress!, beta: beta, c: c.baseAddress!)
                }
            }
        }
    }
}

/// The naive triple loop (double accumulation) that the fast path is tested against.
public func gemmReference(transposeA: MatrixTranspose = .none, transposeB: MatrixTranspose = .none,
                          m: Int, n: Int, k: Int, alpha: Float = 1, a: [Float], b: [Float],
                          beta: Float = 0, c: inout [Float]) {
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0
            for p in 0..<k {
                let aValue = transposeA == .none ? a[i * k + p] : a[p * m + i]
                let bValue = transposeB == .none ? b[p * n + j] : b[j * k + p]
                sum += Double(aValue) * Double(bValue)
            }
            c[i * n + j] = alpha * Float(sum) + (beta == 0 ? 0 : beta * c[i * n + j])
        }
    }
}
