// ReLU forward and both backward forms (masked in place, accumulated) on every code path
// this host runs (the AVX-512 and AVX2 C kernels, the Swift baseline) against the Swift
// loops, bit for bit, on awkward values: -0 and NaN stay in the 16-float blocks and the
// tail follows Swift.max, a NaN output masks differently in blocks and tail; sizes give
// every tail length, and one (70,001) is cut into two chunks over the two threads.
import XCTest
import TestValues
import SharedSupport
@_spi(Kernels) import SharedTensor
@testable import SharedNN

final class ReLUParityTests: XCTestCase {
    private func awkward(_ count: Int, _ random: inout SeededRandom) -> Tensor {
        Tensor(shape: [count], values: (0..<count).map { _ in AwkwardFloats.next(&random, oneIn: 8) })
    }

    func testForwardAndBackwardMatchSwiftBitForBit() throws {
        let compute = try testCompute()
        var random = SeededRandom(seed: 81)
        var counts = Array(1...40) + [255, 257, 70_001]
        for _ in 0..<4 { counts.append(random.nextInt(below: 5_000)) }
        for isa in VectorISA.hostSupported {
            for count in counts {
                let x = awkward(count, &random), dy = awkward(count, &random), start = awkward(count, &random)
                let y = Tensor(shape: [count]), expectedY = Tensor(shape: [count])
                let saved = ReLU.forward(input: x, output: y, compute: compute, isa: isa)
                ReLU.forwardPortable(x.data, expectedY.data, count: count)
                XCTAssertEqual(y.toArray().map(\.bitPattern), expectedY.toArray().map(\.bitPattern), "\(isa): forward, \(count)")

                // y itself is awkward too (NaN, -0 outputs), so take the saved output from dy's values.
                let mask = ReLU.Saved(output: dy.clone())
                let dx = start.clone(), expectedDx = start.clone()
                ReLU.backward(dOutput: x, saved: mask, dInput: dx, compute: compute, isa: isa)
                ReLU.accumulatePortable(mask.output.data, x.data, expectedDx.data, count: count)
                XCTAssertEqual(dx.toArray().map(\.bitPattern), expectedDx.toArray().map(\.bitPattern),
                               "\(isa): backward accumulate, \(count)")

                let inPlace = x.clone(), expectedInPlace = x.clone()
                ReLU.backward(dOutput: inPlace, saved: mask, dInput: inPlace, compute: compute, isa: isa)
                ReLU.maskPortable(mask.output.data, expectedInPlace.data, count: count)
                XCTAssertEqual(inPlace.toArray().map(\.bitPattern), expectedInPlace.toArray().map(\.bitPattern),
                               "\(isa): backward in place, \(count)")
                XCTAssertEqual(saved.output.count, count)
            }
        }
    }
}
