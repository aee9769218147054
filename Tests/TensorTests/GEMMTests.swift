// The BLAS wrapper against the naive reference, every transpose, awkward sizes; tiles that
// depend on the shape alone, so that no thread count changes a bit; and the kernel OpenBLAS
// runs on this CPU. `scripts/test-cpu-paths.sh` (part of `make test`) runs these tests again
// under every OpenBLAS kernel the CPU can execute.
import XCTest
@testable import SharedSupport
@_spi(Kernels) @testable import SharedTensor

final class GEMMTests: XCTestCase {
    func testMatchesNaiveReferenceForAllTransposesAndOddSizes() throws {
        let gemm = try GEMM.load()
        var random = SeededRandom(seed: 3)
        for (m, n, k) in [(1, 1, 1), (3, 5, 7), (17, 33, 65), (64, 1, 291), (1, 100, 3)] {
            for ta in [MatrixTranspose.none, .transposed] {
                for tb in [MatrixTranspose.none, .transposed] {
                    let a = (0..<(m * k)).map { _ in random.nextFloat() * 2 - 1 }
                    let b = (0..<(k * n)).map { _ in random.nextFloat() * 2 - 1 }
                    let c0 = (0..<(m * n)).map { _ in random.nextFloat() }
                    var fast = c0, slow = c0
                    gemm.multiply(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 0.5, a: a, b: b, beta: 2, c: &fast)
                    gemmReference(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 0.5, a: a, b: b, beta: 2, c: &slow)
                    for i in fast.indices {
                        XCTAssertEqual(fast[i], slow[i], accuracy: 1e-5 * Float(k) + 1e-5, "\(m)x\(n)x\(k) \(ta) \(tb) at \(i)")
                    }
                }
            }
        }
    }

    /// Large products are cut into tiles fixed by the shape, so every thread count makes the
    /// same BLAS calls and gives the same bits (on any kernel), and they match the reference.
    /// Shapes: awkward ones and the convolutions' kinds (a weight gradient's long K, an input
    /// gradient's short K, the mask head's batched RoIs).
    func testTiledProductsDoNotDependOnTheThreadCount() throws {
        var random = SeededRandom(seed: 4)
        let none = MatrixTranspose.none, transposed = MatrixTranspose.transposed
        for (m, n, k, ta, tb) in [(64, 2100, 130, none, none), (40, 600, 800, none, transposed),
                                  (1100, 64, 260, transposed, none), (2050, 64, 130, transposed, transposed),
                                  (32, 288, 1024, none, transposed), (288, 1024, 32, transposed, none),
                                  (64, 1000, 300, none, none), (37, 1001, 333, transposed, transposed)] {
            XCTAssertGreaterThanOrEqual(GEMM.tiling(m: m, n: n, k: k).count, 2, "\(m)x\(n)x\(k) is tiled")
            let a = (0..<(m * k)).map { _ in random.nextFloat() * 2 - 1 }
            let b = (0..<(k * n)).map { _ in random.nextFloat() * 2 - 1 }
            let c0 = (0..<(m * n)).map { _ in random.nextFloat() }
            var results: [[Float]] = []
            for threads in [1, 2, 3, 4, 7] {
                var c = c0
                try Compute.load(threads: threads).gemm.multiply(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 0.5,
                                                                 a: a, b: b, beta: 2, c: &c)
                results.append(c)
            }
            for (index, threads) in [2, 3, 4, 7].enumerated() {
                XCTAssertEqual(results[0].map(\.bitPattern), results[index + 1].map(\.bitPattern),
                               "\(m)x\(n)x\(k): 1 vs \(threads) threads")
            }
            var slow = c0
            gemmReference(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 0.5, a: a, b: b, beta: 2, c: &slow)
            var worst: Float = 0
            for i in slow.indices { worst = max(worst, abs(results[0][i] - slow[i]) / (1e-3 * Float(k).squareRoot() + abs(slow[i]) * 1e-4)) }
            XCTAssertLessThanOrEqual(worst, 1, "\(m)x\(n)x\(k) \(ta) \(tb) against the reference")
        }
    }

    func testTilingCoversTheProductWithWholeVectorTiles() {
        for (m, n, k) in [(64, 16384, 576), (32, 288, 16384), (512, 256, 3136), (10, 10, 10), (1024, 1024, 1024), (100, 4100, 3000)] {
            let t = GEMM.tiling(m: m, n: n, k: k)
            XCTAssertEqual(t.alongRows, m > n)
            XCTAssertEqual(t.extent, t.alongRows ? m : n)
            XCTAssertTrue(GEMM.tileCounts.contains(t.count), "\(m)x\(n)x\(k): \(t.count) tiles")
            let ranges = (0..<t.count).map(t.range)
            XCTAssertEqual(ranges.first?.lowerBound, 0)
            XCTAssertEqual(ranges.last?.upperBound, t.extent)
            for (left, right) in zip(ranges, ranges.dropFirst()) { XCTAssertEqual(left.upperBound, right.lowerBound) }
            for range in ranges {
                XCTAssertFalse(range.isEmpty, "\(m)x\(n)x\(k)")
                XCTAssertEqual(range.lowerBound % 16, 0)
                if t.count > 1 {
                    XCTAssertGreaterThanOrEqual(range.count * (t.alongRows ? n : m) * k, GEMM.minimumTileWork / 2, "\(m)x\(n)x\(k)")
                    XCTAssertGreaterThanOrEqual(range.count, GEMM.minimumTileWidth - 15, "\(m)x\(n)x\(k)")
                    if t.count > 2 { XCTAssertGreaterThanOrEqual(range.count, GEMM.preferredTileWidth - 15, "\(m)x\(n)x\(k)") }
                }
            }
        }
        XCTAssertEqual(GEMM.tiling(m: 10, n: 10, k: 10).count, 1)
        XCTAssertEqual(GEMM.tiling(m: 1024, n: 1024, k: 1024).count, 8, "128-wide tiles")
        XCTAssertEqual(GEMM.tiling(m: 32, n: 30720, k: 147).count, 16, "at most 16 tiles")
        XCTAssertEqual(GEMM.tiling(m: 101, n: 256, k: 512).count, 2, "narrow: two tiles of at least 64")
        XCTAssertEqual(GEMM.tiling(m: 64, n: 127, k: 100_000).count, 1, "too narrow to cut")
        XCTAssertEqual(GEMM.tiling(m: 64, n: 1000, k: 300).count, 6, "the largest allowed count that fits 7 tiles of 128")
    }

    /// The kernel our tools choose is the fast one for this CPU (SkylakeX on AVX-512, Haswell
    /// on AVX2), or the one the user asked for.
    func testTheFastKernelForThisCPUIsActive() throws {
        let runtime = try BLASRuntime.shared
        // (The runtime sets OPENBLAS_CORETYPE itself when it chooses, so ask it how.)
        let cpu = CPUFeatures.current()
        if runtime.choice == .user {
            XCTAssertEqual(runtime.coreName.lowercased(), runtime.requestedCoreType?.lowercased())
        } else if cpu.hasAVX512 {
            XCTAssertEqual(runtime.choice, .cpuFeatures)
            XCTAssertEqual(runtime.coreName, "SkylakeX")
        } else if cpu.hasAVX2 {
            XCTAssertEqual(runtime.choice, .cpuFeatures)
            XCTAssertEqual(runtime.coreName, "Haswell")
        }
        XCTAssertNotEqual(runtime.coreName, "unknown")
    }
}
