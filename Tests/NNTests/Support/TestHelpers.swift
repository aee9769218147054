// Helpers of the NN tests: seeded random tensors, the compute context, closeness checks.
// (Gradient checks use the shared GradientChecking target.)
import XCTest
import SharedSupport
@_spi(Kernels) import SharedTensor

/// A tensor of `shape` with uniform values in [low, high).
func randomTensor(_ shape: [Int], _ random: inout SeededRandom, low: Float = -1, high: Float = 1) -> Tensor {
    let tensor = Tensor(shape: shape)
    tensor.fillUniform(low: low, high: high, random: &random)
    return tensor
}

/// The compute context tests use: real BLAS, two threads (exercises the parallel paths).
func testCompute(threads: Int = 2) throws -> Compute {
    try Compute.load(threads: threads)
}

/// Asserts |a - b| <= atol + rtol * |b| elementwise.
func assertClose(_ a: [Float], _ b: [Float], absolute: Float = 1e-5, relative: Float = 1e-4, _ label: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(label): count", file: file, line: line)
    var failures = 0
    for i in 0..<min(a.count, b.count) where abs(a[i] - b[i]) > absolute + relative * abs(b[i]) {
        if failures < 5 { XCTFail("\(label)[\(i)]: \(a[i]) vs \(b[i])", file: file, line: line) }
        failures += 1
    }
    if failures >= 5 { XCTFail("\(label): \(failures) mismatches in total", file: file, line: line) }
}
