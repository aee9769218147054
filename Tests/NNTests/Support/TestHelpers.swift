// Finite-difference gradient checking: loss = sum(out * R) with a random R, central
// differences per sampled element, analytic gradients accumulated on top of random
// initial values (so "backward accumulates" is checked too).
import XCTest
import SharedSupport
import SharedTensor

/// One differentiable input of an op under test: its value and the gradient buffer the
/// op's backward accumulates into.
struct GradientInput {
    let name: String
    let value: Tensor
    let gradient: Tensor
}

/// Checks every input's analytic gradient against central differences.
/// - forward: recomputes the op from the current input values and returns its output.
/// - backward: given dOutput (= R), runs the op's backward (after a fresh forward).
func checkGradients(_ label: String, inputs: [GradientInput], forward: () -> Tensor, backward: (Tensor) -> Void,
                    seed: UInt64 = 7, step: Float = 1e-2, absoluteTolerance: Double = 1e-3,
                    relativeTolerance: Double = 1e-2, samplesPerInput: Int = 48,
                    file: StaticString = #filePath, line: UInt = #line) {
    var random = SeededRandom(seed: seed)
    let output = forward()
    let r = Tensor(shape: output.shape)
    r.fillUniform(low: -1, high: 1, random: &random)
    // Random starting gradients: backward must add to them, not overwrite.
    var initial: [[Float]] = []
    for input in inputs {
        input.gradient.fillUniform(low: -0.5, high: 0.5, random: &random)
        initial.append(input.gradient.toArray())
    }
    backward(r)
    func loss() -> Double { forward().dot(r) }
    var checked = 0
    for (which, input) in inputs.enumerated() {
        let count = input.value.count
        let indices: [Int] = count <= samplesPerInput ? Array(0..<count)
            : (0..<samplesPerInput).map { _ in random.nextInt(below: count) }
        for index in indices {
            let original = input.value.data[index]
            input.value.data[index] = original + step
            let plus = loss()
            input.value.data[index] = original - step
            let minus = loss()
            input.value.data[index] = original
            let numeric = (plus - minus) / (2 * Double(step))
            let analytic = Double(input.gradient.data[index]) - Double(initial[which][index])
            let tolerance = absoluteTolerance + relativeTolerance * abs(numeric)
            XCTAssertLessThanOrEqual(abs(analytic - numeric), tolerance,
                                     "\(label): d\(input.name)[\(index)] analytic \(analytic) numeric \(numeric)",
                                     file: file, line: line)
            checked += 1
        }
    }
    XCTAssertGreaterThan(checked, 0, "\(label): nothing checked", file: file, line: line)
}

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
