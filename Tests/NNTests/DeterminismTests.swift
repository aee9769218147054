// Our own kernels give the same bytes for any thread count (work is split into fixed
// chunks and every reduction stays inside one chunk), and optional gradients may be
// skipped without changing the others.
import XCTest
import SharedSupport
import SharedTensor
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
