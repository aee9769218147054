// The exact gradient sum: the fixed point is the float's exact value (truncated below 2^-96),
// sums do not depend on the order or grouping of the images, the mean is the correctly
// rounded mean of the exact values, frozen parameters are left alone, and overflow is NaN.
import XCTest
import Foundation
import SharedSupport
@_spi(Kernels) import SharedTensor
@testable import SharedNN

final class ExactGradientSumTests: XCTestCase {
    /// trunc(v * 2^96) computed another way: through Double, exact for these magnitudes.
    private func reference(_ value: Float) -> Int128 {
        let scaled = Double(value) * 0x1p96   // exact: a power-of-two scaling of a float
        return Int128(scaled.rounded(.towardZero))
    }

    func testFixedPointIsTheFloatsExactValue() {
        var random = SeededRandom(seed: 7)
        var values: [Float] = [0, -0, 1, -1, 0x1p-73, 0x1p-80, -0x1p-100, 0x1.fffffep30, -0x1.fffffep30, .leastNormalMagnitude]
        for _ in 0..<5000 {
            let magnitude = Float(random.nextDouble() * 2 - 1) * Float(pow(2.0, Double(random.nextInt(below: 100)) - 70))
            values.append(magnitude)
        }
        for value in values where abs(value) < ExactGradientSum.limit {
            XCTAssertEqual(ExactGradientSum.fixedPoint(value), reference(value), "\(value)")
        }
    }

    func testFastConversionToDoubleIsTheStandardLibrarys() {
        var random = SeededRandom(seed: 11)
        var values: [Int128] = [0, 1, -1, Int128.max, Int128.min, Int128(1) << 64, (Int128(1) << 64) - 1, -(Int128(1) << 100),
                                // ties at 53 bits: 2^53 + 1 and (2^53 + 1) * 2^40 + 2^39 (exactly halfway), and one above
                                (Int128(1) << 53) + 1, ((Int128(1) << 53) + 1) << 40 | (Int128(1) << 39),
                                (((Int128(1) << 53) + 1) << 40) | (Int128(1) << 39) | 1]
        for _ in 0..<20000 {
            let bits = Int(random.nextInt(below: 127))
            let high = Int64(bitPattern: random.next()), low = random.next()
            values.append((Int128(high) << 64 | Int128(low)) >> (127 - bits))
        }
        for value in values {
            XCTAssertEqual(ExactGradientSum.double(value), Double(value), "\(value)")
        }
    }

    private func store(frozenSecond: Bool) -> (ParameterStore, Parameter, Parameter) {
        var layout = ParameterLayout()
        let a = layout.add("a.weight", shape: [37])
        let b = layout.add("b.weight", shape: [5], frozen: frozenSecond)
        return (ParameterStore(layout: layout), a, b)
    }

    /// The mean over `images` added in `order`, split as `groups` partial sums added together
    /// (as ranks would), written into a fresh store.
    private func mean(of images: [[Float]], order: [Int], groups: [Range<Int>]) -> [Float] {
        let (store, a, _) = store(frozenSecond: true)
        var partials: [ExactGradientSum] = []
        for group in groups {
            let sum = ExactGradientSum(store: store)
            for position in group {
                store.zeroGradients()
                let gradient = store.gradient(a)
                for (index, value) in images[order[position]].enumerated() { gradient.data[index] = value }
                sum.addStoreGradients(parallelism: Parallelism(threads: 1 + position % 2))
            }
            partials.append(sum)
        }
        let total = partials[0]
        for other in partials.dropFirst() { total.add(other) }
        store.zeroGradients()
        total.writeMean(count: images.count, parallelism: .serial)
        return (0..<37).map { store.gradient(a).data[$0] }
    }

    func testSumIsIndependentOfOrderAndGrouping() {
        var random = SeededRandom(seed: 3)
        // Values over 40 binades, where float sums in different orders round differently.
        let images = (0..<6).map { _ in
            (0..<37).map { _ in Float(random.nextGaussian()) * Float(pow(2.0, Double(random.nextInt(below: 40)) - 30)) }
        }
        let plain = mean(of: images, order: Array(0..<6), groups: [0..<6])
        XCTAssertEqual(plain, mean(of: images, order: [5, 3, 1, 0, 2, 4], groups: [0..<6]))
        XCTAssertEqual(plain, mean(of: images, order: Array(0..<6), groups: [0..<3, 3..<6]))
        XCTAssertEqual(plain, mean(of: images, order: Array(0..<6), groups: [0..<2, 2..<4, 4..<6]))
        XCTAssertEqual(plain, mean(of: images, order: [2, 0, 1, 5, 4, 3], groups: [0..<1, 1..<6]))
        // The mean is the exact mean rounded (through Double) once.
        for index in 0..<37 {
            let exact = images.reduce(Int128(0)) { $0 + reference($1[index]) }
            XCTAssertEqual(plain[index], Float(Double(exact) * 0x1p-96 / 6), "element \(index)")
        }
        // A naive float sum in another order does differ somewhere (the property is not vacuous).
        let forward = (0..<37).map { i in images.reduce(Float(0)) { $0 + $1[i] } }
        let backward = (0..<37).map { i in images.reversed().reduce(Float(0)) { $0 + $1[i] } }
        XCTAssertNotEqual(forward, backward)
    }

    func testFrozenParametersAreLeftAndOverflowIsNaN() {
        let (store, a, b) = store(frozenSecond: true)
        let sum = ExactGradientSum(store: store)
        store.gradient(a).fill(0.5)
        store.gradient(b).fill(9)
        sum.addStoreGradients(parallelism: .serial)
        store.zeroGradients()
        sum.writeMean(count: 2, parallelism: .serial)
        XCTAssertEqual(store.gradient(a).data[0], 0.25)
        XCTAssertEqual(store.gradient(b).maxAbs(), 0, "frozen: not summed, not written")
        XCTAssertFalse(sum.overflowed)
        store.gradient(a).data[3] = ExactGradientSum.limit
        sum.addStoreGradients(parallelism: .serial)
        XCTAssertTrue(sum.overflowed)
        sum.writeMean(count: 1, parallelism: .serial)
        XCTAssertTrue(store.gradient(a).data[0].isNaN)
        sum.reset()
        XCTAssertFalse(sum.overflowed)
        store.gradient(a).data[3] = .infinity
        sum.addStoreGradients(parallelism: .serial)
        XCTAssertTrue(sum.overflowed)
    }
}
