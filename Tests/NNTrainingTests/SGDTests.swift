// SGD: a five-step trajectory against torch.optim.SGD (momentum, weight decay, changing
// learning rate), frozen parameters bit-identical, the flat kernel against the reference.
import XCTest
import SharedSupport
@_spi(Kernels) import SharedTensor
@testable import SharedNN

final class SGDTests: XCTestCase {
    func testTrajectoryMatchesPyTorchAndFrozenParameterIsUntouched() throws {
        let f = try loadFixture("sgd.safetensors")
        var layout = ParameterLayout()
        let w1 = layout.add("w1", shape: [10])
        let frozen = layout.add("frozen", shape: [5], frozen: true)
        let w2 = layout.add("w2", shape: [3, 4])
        let store = ParameterStore(layout: layout)
        store.value(w1).buffer.update(fromContentsOf: try f.floats("w1_0"))
        store.value(w2).buffer.update(fromContentsOf: try f.floats("w2_0"))
        store.value(frozen).buffer.update(fromContentsOf: try f.floats("frozen"))
        let frozenBits = store.value(frozen).toArray().map(\.bitPattern)
        let a1 = try f.floats("a1"), b1 = try f.floats("b1"), a2 = try f.floats("a2"), b2 = try f.floats("b2")
        let sgd = SGD(options: SGDOptions(momentum: 0.9, weightDecay: 1e-2))
        for (step, lr) in try f.floats("lrs").enumerated() {
            store.zeroGradients()
            // f(w) = sum(a w^2 / 2 + b w)  =>  g = a w + b; the frozen parameter also gets a
            // gradient, which the optimizer must ignore.
            for (p, a, b) in [(w1, a1, b1), (w2, a2, b2)] {
                let w = store.value(p).buffer, g = store.gradient(p).buffer
                for i in 0..<p.count { g[i] = a[i] * w[i] + b[i] }
            }
            store.gradient(frozen).buffer.update(repeating: 1)
            sgd.step(store: store, learningRate: lr, parallelism: Parallelism(threads: 2))
            assertClose(store.value(w1).toArray(), try f.floats("w1_\(step + 1)"), relative: 1e-5, absolute: 1e-6, "w1 step \(step + 1)")
            assertClose(store.value(w2).toArray(), try f.floats("w2_\(step + 1)"), relative: 1e-5, absolute: 1e-6, "w2 step \(step + 1)")
        }
        assertClose(store.momentum(w1).toArray(), try f.floats("momentum_w1"), relative: 1e-5, absolute: 1e-6, "momentum")
        XCTAssertEqual(store.value(frozen).toArray().map(\.bitPattern), frozenBits, "frozen values bit-identical")
        XCTAssertTrue(store.momentum(frozen).toArray().allSatisfy { $0 == 0 }, "frozen momentum untouched")
    }

    func testFlatKernelMatchesReferenceWithFirstStepBranch() {
        var random = SeededRandom(seed: 31)
        var values = randomFloats(40, &random)
        var reference = values
        var momentum = [Float](repeating: 0, count: 40)
        var referenceMomentum: [Float]? = nil
        let options = SGDOptions(momentum: 0.9, weightDecay: 1e-4)
        for step in 0..<4 {
            let gradients = randomFloats(40, &random)
            let lr = Float(step + 1) * 0.01
            values.withUnsafeMutableBufferPointer { v in
                momentum.withUnsafeMutableBufferPointer { m in
                    gradients.withUnsafeBufferPointer { g in
                        sgdStep(values: v, gradients: g, momentum: m, range: 0..<40, learningRate: lr, options: options)
                    }
                }
            }
            sgdStepReference(values: &reference, gradients: gradients, momentum: &referenceMomentum, learningRate: lr, options: options)
            assertClose(values, reference, relative: 1e-6, absolute: 1e-7, "step \(step)")
        }
    }

    func testMergedRangesCoverTrainableRunsOnly() {
        XCTAssertEqual(mergedTrainableRanges([32..<48, 0..<16, 16..<20, 64..<80, 70..<72]), [0..<20, 32..<48, 64..<80])
        XCTAssertEqual(mergedTrainableRanges([]), [])
    }
}
