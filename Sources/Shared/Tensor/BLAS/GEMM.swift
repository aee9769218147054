// Row-major float32 matrix multiply, C = alpha * op(A) * op(B) + beta * C, through the
// OpenBLAS loaded by `BLASRuntime`, plus the naive reference kernel the tests trust.
//
// Threads: OpenBLAS runs single-threaded (`Compute.load`); a large product is cut here into
// tiles of C (whole rows or whole columns, never the K sum), one OpenBLAS call each, which
// the threads share. The cut depends on the shape alone, never on the thread count, so
// every `--threads` makes the same calls with the same operands and the bits cannot depend
// on it, whatever kernel OpenBLAS runs. (A cut by thread count does not work: Haswell's
// sgemm kernel, which AVX2 CPUs get, sums an element in an order that depends on where it
// sits in the call.) Tiles keep at least 2^21 multiply-adds and 64 rows or columns; on
// SkylakeX the sum for an element then depends on K alone, so there the tiled product also
// equals one untiled call bit for bit.
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
    /// Threads the tiles of one large product are spread over.
    public let parallelism: Parallelism

    public init(runtime: BLASRuntime, parallelism: Parallelism = .serial) {
        self.runtime = runtime
        self.parallelism = parallelism
    }

    /// Loads (once per process) the best OpenBLAS kernel for this CPU.
    public static func load(parallelism: Parallelism = .serial) throws -> GEMM {
        GEMM(runtime: try BLASRuntime.shared, parallelism: parallelism)
    }

    /// Products of fewer multiply-adds than this run as one BLAS call.
    public static let minimumTiledWork = 1 << 22
    /// Each tile keeps at least this many multiply-adds (thread start-up and operand packing
    /// stay small next to it)...
    public static let minimumTileWork = 1 << 21
    /// ...and at least this many rows or columns...
    public static let minimumTileWidth = 64
    /// ...and, beyond two tiles, this many: every tile repacks the operand all tiles share,
    /// which costs about 1 / width of the tile's time (about 10% at 64, 5% at 128).
    public static let preferredTileWidth = 128
    /// Tile counts a cut may have, largest first: even, and each divides evenly among 2, 4
    /// (most of them 3 and 6 too) threads, so common thread counts share a product evenly.
    public static let tileCounts = [16, 12, 8, 6, 4, 2, 1]

    /// How a product of this size is cut: along rows of C (`alongRows`) or columns, into
    /// `count` tiles of whole 16-wide blocks, as even as they can be. A function of the shape
    /// alone (see the file comment): as many tiles as `tileCounts` allows with every tile at
    /// least `minimumTileWork` and `preferredTileWidth` wide, or two tiles of at least
    /// `minimumTileWidth` when the product is too narrow for more.
    public static func tiling(m: Int, n: Int, k: Int) -> GEMMTiling {
        let work = m * n * k
        let alongRows = m > n
        let extent = alongRows ? m : n
        guard work >= minimumTiledWork else { return GEMMTiling(alongRows: alongRows, count: 1, extent: extent) }
        let widthLimit = max(extent / preferredTileWidth, min(2, extent / minimumTileWidth))
        let limit = min(work / minimumTileWork, widthLimit)
        let count = tileCounts.first { $0 <= limit } ?? 1
        return GEMMTiling(alongRows: alongRows, count: count, extent: extent)
    }

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
        let tiles = GEMM.tiling(m: m, n: n, k: k)
        guard tiles.count > 1 else {
            blas(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }
        parallelism.forEachDynamic(tiles.count) { tile in
            let range = tiles.range(tile)
            let start = range.lowerBound, extent = range.count
            if tiles.alongRows {  // rows start..<start+extent of op(A) and C
                blas(transposeA, transposeB, extent, n, k, alpha, a + (transposeA == .none ? start * lda : start), lda,
                     b, ldb, beta, c + start * ldc, ldc)
            } else {              // columns start..<start+extent of op(B) and C
                blas(transposeA, transposeB, m, extent, k, alpha, a, lda,
                     b + (transposeB == .none ? start : start * ldb), ldb, beta, c + start, ldc)
            }
        }
    }

    @usableFromInline
    func blas(_ transposeA: MatrixTranspose, _ transposeB: MatrixTranspose, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
              _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float,
              _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
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

/// How one product is cut into tiles (`GEMM.tiling`).
public struct GEMMTiling: Sendable, Equatable {
    /// Tiles are row ranges of C (else column ranges).
    public let alongRows: Bool
    public let count: Int
    /// Rows (or columns) of C in all.
    public let extent: Int

    /// The rows (or columns) of tile `index`: whole blocks of 16, the blocks spread evenly.
    @inlinable
    public func range(_ index: Int) -> Range<Int> {
        let blocks = (extent + 15) / 16
        let start = blocks * index / count * 16, end = min(extent, blocks * (index + 1) / count * 16)
        return start..<end
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
