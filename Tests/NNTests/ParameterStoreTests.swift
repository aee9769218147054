// The parameter store: one aligned layout shared by values, gradients and momentum, names,
// stable order, freezing, seeded initialisation, and layer bindings writing gradients there.
import XCTest
import SharedSupport
@_spi(Kernels) import SharedTensor
@testable import SharedNN

final class ParameterStoreTests: XCTestCase {
    func testLayoutViewsAndLookup() {
        var layout = ParameterLayout()
        let a = layout.add("a.weight", shape: [3, 5])
        let b = layout.add("b.bias", shape: [7], frozen: true)
        let c = layout.add("c.weight", shape: [2, 2, 3, 3])
        XCTAssertEqual([a.offset, b.offset, c.offset], [0, 16, 32])
        XCTAssertEqual(layout.totalCount, 32 + 48)
        let store = ParameterStore(layout: layout)
        XCTAssertEqual(store.parameters.map(\.name), ["a.weight", "b.bias", "c.weight"])
        XCTAssertEqual(store["b.bias"], b)
        XCTAssertNil(store["missing"])
        XCTAssertEqual(store.scalarCount, 15 + 7 + 36)
        XCTAssertTrue(store.isFrozen(b))
        XCTAssertFalse(store.isFrozen(a))
        XCTAssertEqual(store.trainable, [a, c])
        // Views: same offsets in the three storages; writes land in the flat buffers.
        store.value(c).fill(2)
        store.gradient(c).fill(3)
        store.momentum(c).fill(4)
        XCTAssertEqual(store.values.base[c.offset + 35], 2)
        XCTAssertEqual(store.gradients.base[c.offset + 35], 3)
        XCTAssertEqual(store.momentum.base[c.offset + 35], 4)
        XCTAssertEqual(store.values.base[a.offset + 15], 0, "padding stays zero")
        XCTAssertEqual(Int(bitPattern: store.value(c).data) % 64, 0, "views are 64-byte aligned")
        store.zeroGradients()
        XCTAssertEqual(store.gradient(c).maxAbs(), 0)
        XCTAssertEqual(store.setFrozen(prefix: "c.", true), 1)
        XCTAssertTrue(store.isFrozen(c))
        store.setFrozen(b, false)
        XCTAssertEqual(store.trainable, [a, b])
    }

    func testSeededInitialisationIsReproducibleAndHasTheRightScale() {
        func build(seed: UInt64) -> (ParameterStore, Parameter) {
            var layout = ParameterLayout()
            let conv = Conv2DLayer("conv", Conv2DShape(inChannels: 64, outChannels: 128, kernel: 3), bias: true,
                                   layout: &layout)
            let store = ParameterStore(layout: layout)
            var random = SeededRandom(seed: seed)
            conv.initialize(store, random: &random)
            return (store, conv.weight)
        }
        let (first, weight) = build(seed: 5), (second, _) = build(seed: 5), (third, _) = build(seed: 6)
        XCTAssertEqual(first.value(weight).toArray(), second.value(weight).toArray())
        XCTAssertNotEqual(first.value(weight).toArray(), third.value(weight).toArray())
        // Kaiming normal, fan-out = 128 * 9: std = sqrt(2 / 1152).
        let values = first.value(weight).toArray().map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
        XCTAssertEqual(mean, 0, accuracy: 0.002)
        XCTAssertEqual(std, (2.0 / 1152).squareRoot(), accuracy: 0.002)
        XCTAssertEqual(first.value(first["conv.bias"]!).maxAbs(), 0)
    }

    func testLayerBindingAccumulatesIntoStoreAndRespectsFreezing() throws {
        let compute = try testCompute()
        var layout = ParameterLayout()
        let fc = LinearLayer("fc", inFeatures: 3, outFeatures: 2, layout: &layout)
        let store = ParameterStore(layout: layout)
        var random = SeededRandom(seed: 9)
        fc.initialize(store, random: &random)
        let input = randomTensor([4, 3], &random), output = Tensor(shape: [4, 2]), dOutput = randomTensor([4, 2], &random)
        let saved = fc.forward(input, output: output, store: store, compute: compute)
        fc.backward(dOutput, saved: saved, dInput: nil, store: store, compute: compute)
        let once = store.gradient(fc.weight).toArray()
        fc.backward(dOutput, saved: saved, dInput: nil, store: store, compute: compute)
        assertClose(store.gradient(fc.weight).toArray(), once.map { 2 * $0 }, "accumulates")
        // dBias = column sums of dOutput.
        for j in 0..<2 {
            let expected = (0..<4).reduce(Float(0)) { $0 + dOutput[$1, j] } * 2
            XCTAssertEqual(store.gradient(fc.bias!)[j], expected, accuracy: 1e-5)
        }
        store.zeroGradients()
        store.setFrozen(prefix: "fc.", true)
        fc.backward(dOutput, saved: saved, dInput: nil, store: store, compute: compute)
        XCTAssertEqual(store.gradient(fc.weight).maxAbs(), 0, "frozen parameters get no gradient")
    }
}
