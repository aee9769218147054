// Our own kernels give the same bytes for any thread count (work is split into fixed
// chunks and every reduction stays inside one chunk), and optional gradients may be
// skipped without changing the others.
import XCTest
import SharedSupport
@_spi(Kernels) import SharedTensor
@testable import SharedNN

final class DeterminismTests: XCTestCase {
    func testNonGEMMKernelsAreBitIdenticalAcrossThreadCounts() throws {
        var random = SeededRandom(seed: 71)
        let x = randomTensor([2, 8, 33, 35], &random), dy = randomTensor(x.shape, &random)
        let gamma = randomTensor([8], &random), beta = randomTensor([8], &random)
        func run(threads: Int) throws -> [[Float]] {
            let compute = try testCompute(threads: threads)
            let y = Tensor(shape: x.shape), dx = Tensor(shape: x.shape)
            let dGamma = Tensor(shape: [8]), dBeta = Tensor(shape: [8])
            let gn = GroupNorm.forward(input: x, gamma: gamma, beta: beta, output: y, groups: 4, compute: compute)
            GroupNorm.backward(dOutput: dy, saved: gn, gamma: gamma, dInput: dx, dGamma: dGamma, dBeta: dBeta,
                               compute: compute)
            let pool = MaxPoolShape(kernel: 3, stride: 2, padding: 1)
            let pooled = Tensor(shape: pool.outputShape(input: x.shape))
            let mp = MaxPool2D.forward(input: y, output: pooled, shape: pool, compute: compute)
            let dPooled = Tensor(shape: pooled.shape)
            dPooled.copy(from: pooled)
            MaxPool2D.backward(dOutput: dPooled, saved: mp, dInput: dx, compute: compute)
            let relu = ReLU.forward(input: y, output: y, compute: compute)
            ReLU.backward(dOutput: dy, saved: relu, dInput: dx, compute: compute)
            let up = Tensor(shape: Upsample2x.outputShape(input: x.shape))
            Upsample2x.forward(input: y, output: up, compute: compute)
            Upsample2x.backward(dOutput: up, dInput: dx, compute: compute)
            return [y, dx, dGamma, dBeta, pooled, up].map { $0.toArray() }
        }
        let one = try run(threads: 1)
        for threads in [2, 3] {
            let other = try run(threads: threads)
            for (a, b) in zip(one, other) { XCTAssertEqual(a, b, "threads \(threads)") }
        }
    }

    /// The mask head's deconvolution and normed classifier split their work by image (one
    /// serial GEMM per image) and by channel: the same bytes for any thread count.
    func testMaskHeadLayersAreBitIdenticalAcrossThreadCounts() throws {
        var random = SeededRandom(seed: 73)
        let x = randomTensor([5, 16, 7, 7], &random)
        let deconvWeight = randomTensor([16, 12, 2, 2], &random), deconvBias = randomTensor([12], &random)
        let up = Tensor(shape: ConvTranspose2x2.outputShape(input: x.shape, outChannels: 12))
        let classWeight = randomTensor([4, 12, 1, 1], &random), classBias = randomTensor([4], &random)
        let classes = [3, 0, 2, 2, 1]
        let dAll = randomTensor([5, 4, 14, 14], &random), dOne = randomTensor([5, 1, 14, 14], &random)
        func run(threads: Int) throws -> [[Float]] {
            let compute = try testCompute(threads: threads), workspace = Workspace()
            let deconv = ConvTranspose2x2.forward(input: x, weight: deconvWeight, bias: deconvBias, output: up,
                                                  compute: compute, workspace: workspace)
            var outputs = [up.toArray()]
            let dUp = Tensor(shape: up.shape)
            for (chosen, dOutput) in [(nil, dAll), (classes, dOne)] as [([Int]?, Tensor)] {
                let logits = Tensor(shape: dOutput.shape)
                let saved = NormedConv1x1.forward(input: up, weight: classWeight, bias: classBias, output: logits,
                                                  classes: chosen, compute: compute)
                let dWeight = Tensor(shape: classWeight.shape), dBias = Tensor(shape: [4])
                NormedConv1x1.backward(dOutput: dOutput, saved: saved, weight: classWeight, dInput: dUp, dWeight: dWeight,
                                       dBias: dBias, compute: compute, workspace: workspace)
                outputs += [logits, dWeight, dBias].map { $0.toArray() }
            }
            let dx = Tensor(shape: x.shape), dWeight = Tensor(shape: deconvWeight.shape), dBias = Tensor(shape: [12])
            ConvTranspose2x2.backward(dOutput: dUp, saved: deconv, weight: deconvWeight, dInput: dx, dWeight: dWeight,
                                      dBias: dBias, compute: compute, workspace: workspace)
            return outputs + [dUp, dx, dWeight, dBias].map { $0.toArray() }
        }
        let one = try run(threads: 1)
        XCTAssertTrue(one.allSatisfy { values in values.contains { $0 != 0 } }, "every output and gradient is non-trivial")
        for threads in [2, 3] {
            let other = try run(threads: threads)
            for (index, (a, b)) in zip(one, other).enumerated() { XCTAssertEqual(a, b, "threads \(threads), output \(index)") }
        }
    }

    func testSkippedGradientsLeaveTheOthersUnchanged() throws {
        let compute = try testCompute(), workspace = Workspace()
        var random = SeededRandom(seed: 72)
        let shape = Conv2DShape(inChannels: 3, outChannels: 4, kernel: 3, stride: 2, padding: 1)
        let x = randomTensor([3, 3, 9, 9], &random), w = randomTensor(shape.weightShape, &random)
        let b = randomTensor([4], &random), y = Tensor(shape: shape.outputShape(input: x.shape))
        let dy = randomTensor(y.shape, &random)
        let saved = Conv2D.forward(input: x, weight: w, bias: b, output: y, shape: shape, compute: compute,
                                   workspace: workspace)
        let dx = Tensor(shape: x.shape), dw = Tensor(shape: w.shape), db = Tensor(shape: [4])
        Conv2D.backward(dOutput: dy, saved: saved, weight: w, dInput: dx, dWeight: dw, dBias: db, shape: shape,
                        compute: compute, workspace: workspace)
        let dxOnly = Tensor(shape: x.shape), dwOnly = Tensor(shape: w.shape), dbOnly = Tensor(shape: [4])
        Conv2D.backward(dOutput: dy, saved: saved, weight: w, dInput: dxOnly, dWeight: nil, dBias: nil, shape: shape,
                        compute: compute, workspace: workspace)
        Conv2D.backward(dOutput: dy, saved: saved, weight: w, dInput: nil, dWeight: dwOnly, dBias: nil, shape: shape,
                        compute: compute, workspace: workspace)
        Conv2D.backward(dOutput: dy, saved: saved, weight: w, dInput: nil, dWeight: nil, dBias: dbOnly, shape: shape,
                        compute: compute, workspace: workspace)
        XCTAssertEqual(dxOnly.toArray(), dx.toArray())
        XCTAssertEqual(dwOnly.toArray(), dw.toArray())
        XCTAssertEqual(dbOnly.toArray(), db.toArray())
    }
}
