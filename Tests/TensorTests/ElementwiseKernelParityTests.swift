// `add`, `accumulate`, `addScalar`, `sumFloat` and `dotAndSum` on every code path this host
// runs (the AVX-512 and AVX2 C kernels, the Swift baseline) against their Swift twins, bit
// for bit: counts around the 16-float blocks, spread-out and awkward values (signed zeros,
// NaN, infinities), unaligned starts, outputs aliasing inputs, and a float past the end
// that must stay untouched.
import XCTest
import TestValues
@testable import SharedSupport
@_spi(Kernels) @testable import SharedTensor

final class ElementwiseKernelParityTests: XCTestCase {
    private func counts(_ random: inout SeededRandom) -> [Int] {
        var counts = Array(0...40) + [63, 64, 65, 255, 256, 257, 1000, 4111]
        for _ in 0..<8 { counts.append(random.nextInt(below: 20_000)) }
        return counts
    }

    private func values(_ count: Int, awkward: Bool, _ random: inout SeededRandom) -> [Float] {
        (0..<count).map { _ in
            awkward ? AwkwardFloats.next(&random, oneIn: 30)
                    : (random.nextFloat() * 2 - 1) * Float(1 << random.nextInt(below: 12)) + 1
        }
    }

    func testEveryPathMatchesTheSwiftLoopsBitForBit() {
        for isa in VectorISA.hostSupported {
            for awkward in [false, true] { check(isa, awkward: awkward) }
        }
    }

    private func check(_ isa: VectorISA, awkward: Bool) {
        var random = SeededRandom(seed: awkward ? 72 : 71)
        for count in counts(&random) {
            let label = "\(isa)\(awkward ? ", awkward" : ""), count \(count)"
            // One float before (odd offsets: unaligned) and one after the used range.
            let a = values(count + 2, awkward: awkward, &random), b = values(count + 2, awkward: awkward, &random)
            let value = awkward ? AwkwardFloats.next(&random, oneIn: 6) : random.nextFloat() * 8 - 4
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    let x = ap.baseAddress! + 1, y = bp.baseAddress! + 1
                    XCTAssertEqual(Elementwise.sumFloat(x, count: count, isa: isa).bitPattern,
                                   Elementwise.sumFloatPortable(x, count: count).bitPattern, "sumFloat, \(label)")
                    let fast = Elementwise.dotAndSum(x, y, count: count, isa: isa)
                    let slow = Elementwise.dotAndSumPortable(x, y, count: count)
                    XCTAssertEqual(fast.dot.bitPattern, slow.dot.bitPattern, "dotAndSum dot, \(label)")
                    XCTAssertEqual(fast.sum.bitPattern, slow.sum.bitPattern, "dotAndSum sum, \(label)")

                    var out = b, reference = b
                    out.withUnsafeMutableBufferPointer { Elementwise.add(x, y, into: $0.baseAddress! + 1, count: count, isa: isa) }
                    reference.withUnsafeMutableBufferPointer { Elementwise.addPortable(x, y, into: $0.baseAddress! + 1, count: count) }
                    XCTAssertEqual(out.map(\.bitPattern), reference.map(\.bitPattern), "add, \(label)")
                    out = b; reference = b
                    out.withUnsafeMutableBufferPointer { Elementwise.accumulate(x, into: $0.baseAddress! + 1, count: count, isa: isa) }
                    reference.withUnsafeMutableBufferPointer {
                        Elementwise.accumulatePortable(x, into: $0.baseAddress! + 1, count: count)
                    }
                    XCTAssertEqual(out.map(\.bitPattern), reference.map(\.bitPattern), "accumulate, \(label)")
                }
            }
            // In place: add with out == a, addScalar.
            var inPlace = a, inPlaceReference = a
            inPlace.withUnsafeMutableBufferPointer {
                let p = $0.baseAddress! + 1
                Elementwise.add(p, p, into: p, count: count, isa: isa)
                Elementwise.addScalar(value, to: p, count: count, isa: isa)
            }
            inPlaceReference.withUnsafeMutableBufferPointer {
                let p = $0.baseAddress! + 1
                Elementwise.addPortable(p, p, into: p, count: count)
                Elementwise.addScalarPortable(value, to: p, count: count)
            }
            XCTAssertEqual(inPlace.map(\.bitPattern), inPlaceReference.map(\.bitPattern), "in place, \(label)")
        }
    }
}
