// The BLAS wrapper against the naive reference, every transpose, awkward sizes; and the
// kernel OpenBLAS runs on an AVX-512 machine.
import XCTest
@testable import SharedSupport
@testable import SharedTensor

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

    func testFastKernelIsActiveOnAVX512Machines() throws {
        let runtime = try BLASRuntime.shared
        // (The runtime sets OPENBLAS_CORETYPE itself when it chooses, so ask it how.)
        if runtime.choice == .user {
            XCTAssertEqual(runtime.coreName.lowercased(), runtime.requestedCoreType?.lowercased())
        } else if CPUFeatures.current().hasAVX512 {
            XCTAssertEqual(runtime.choice, .cpuFeatures)
            XCTAssertEqual(runtime.coreName, "SkylakeX")
        }
        XCTAssertNotEqual(runtime.coreName, "unknown")
    }
}
