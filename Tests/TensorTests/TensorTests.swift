// Tensors as views: shapes, slices and reshapes share storage; alignment; copies; seeded
// fills; and the elementwise reductions.
import XCTest
@testable import SharedSupport
@_spi(Kernels) @testable import SharedTensor

final class TensorTests: XCTestCase {
    func testViewsShareStorageAndRespectShapes() {
        let t = Tensor(shape: [2, 3, 2, 2])
        XCTAssertEqual(t.count, 24)
        XCTAssertEqual([t.n, t.c, t.h, t.w], [2, 3, 2, 2])
        XCTAssertEqual(t.toArray(), [Float](repeating: 0, count: 24), "new tensors are zeroed")
        XCTAssertEqual(Int(bitPattern: t.data) % 64, 0)
        for i in 0..<24 { t.data[i] = Float(i) }
        XCTAssertEqual(t[1, 2, 1, 0], 22)
        let second = t.slice(batch: 1)
        XCTAssertEqual(second.shape, [1, 3, 2, 2])
        XCTAssertEqual(second.data[0], 12)
        second[0, 0, 0, 0] = -1
        XCTAssertEqual(t.data[12], -1, "a slice writes into its parent")
        let flat = t.reshaped([6, 4])
        XCTAssertEqual(flat[3, 0], -1)
        let inner = t.view(offset: 4, shape: [2, 2])
        XCTAssertEqual(inner.toArray(), [4, 5, 6, 7])
        let copy = t.clone()
        copy.fill(9)
        XCTAssertEqual(t.data[0], 0, "clone owns its floats")
        t.copy(from: copy)
        XCTAssertEqual(t.toArray(), [Float](repeating: 9, count: 24))
        XCTAssertEqual(Tensor(shape: [2], values: [3, 4]).dot(Tensor(shape: [2], values: [1, 2])), 11)
        XCTAssertEqual(Tensor(shape: [3], values: [1, -5, 2]).maxAbs(), 5)
        XCTAssertEqual(Tensor(shape: [3], values: [1, -5, 2]).sum(), -2)
        let storage = TensorStorage(capacity: 10)
        let a = Tensor(shape: [4], storage: storage, offset: 6)
        a.fill(1)
        XCTAssertEqual(storage.buffer.reduce(0, +), 4)
    }

    func testSeededFillsAreReproducibleWithTheRequestedMoments() {
        var r1 = SeededRandom(seed: 1), r2 = SeededRandom(seed: 1)
        let a = Tensor(shape: [64, 32, 3, 3]), b = Tensor(shape: [64, 32, 3, 3])
        a.fillKaimingNormal(mode: .fanIn, random: &r1)
        b.fillKaimingNormal(mode: .fanIn, random: &r2)
        XCTAssertEqual(a.toArray(), b.toArray())
        XCTAssertEqual(fans(of: [64, 32, 3, 3]).fanIn, 288)
        XCTAssertEqual(fans(of: [64, 32, 3, 3]).fanOut, 576)
        let variance = a.dot(a) / Double(a.count)
        XCTAssertEqual(variance, 2.0 / 288, accuracy: 0.1 * 2.0 / 288)
        let u = Tensor(shape: [1000, 10])
        u.fillKaimingUniformDefault(random: &r1)
        XCTAssertLessThanOrEqual(u.maxAbs(), 1 / Float(10).squareRoot())
        XCTAssertGreaterThan(u.maxAbs(), 0.9 / Float(10).squareRoot())
    }
}
