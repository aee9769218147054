// The SIMD elementwise kernels against plain scalar loops, on counts that exercise both
// the 16-wide body and the scalar tail, with in-place aliasing.
import XCTest
import TestValues
@testable import SharedSupport
@_spi(Kernels) @testable import SharedTensor

final class ElementwiseTests: XCTestCase {
    func testKernelsMatchScalarLoops() {
        var random = SeededRandom(seed: 51)
        for count in [0, 1, 15, 16, 17, 100] {
            let a = (0..<count).map { _ in random.nextFloat() * 2 - 1 }
            let b = (0..<count).map { _ in random.nextFloat() * 2 - 1 }
            var out = [Float](repeating: 0, count: count)
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    out.withUnsafeMutableBufferPointer { op in
                        guard let x = ap.baseAddress, let y = bp.baseAddress, let o = op.baseAddress else { return }
                        Elementwise.add(x, y, into: o, count: count)
                        XCTAssertEqual(Array(op), zip(a, b).map { $0 + $1 })
                        Elementwise.axpy(alpha: 0.5, x, o, count: count)
                        for i in 0..<count { XCTAssertEqual(o[i], a[i] + b[i] + 0.5 * a[i], accuracy: 1e-6) }
                        Elementwise.scaleShift(x, scale: 3, shift: -1, into: o, count: count)
                        for i in 0..<count { XCTAssertEqual(o[i], a[i] * 3 - 1, accuracy: 1e-6) }
                        Elementwise.accumulate(y, into: o, count: count)
                        for i in 0..<count { XCTAssertEqual(o[i], a[i] * 3 - 1 + b[i], accuracy: 1e-6) }
                        Elementwise.scale(o, by: 2, count: count)
                        Elementwise.addScalar(1, to: o, count: count)
                        for i in 0..<count { XCTAssertEqual(o[i], 2 * (a[i] * 3 - 1 + b[i]) + 1, accuracy: 1e-5) }
                        XCTAssertEqual(Double(Elementwise.sumFloat(x, count: count)), Elementwise.sum(x, count: count),
                                       accuracy: 1e-4)
                        let (dot, sum) = Elementwise.dotAndSum(x, y, count: count)
                        XCTAssertEqual(Double(dot), Elementwise.dot(x, y, count: count), accuracy: 1e-4)
                        XCTAssertEqual(Double(sum), Elementwise.sum(x, count: count), accuracy: 1e-4)
                        let deviations = a.reduce(Float(0)) { $0 + ($1 - 0.25) * ($1 - 0.25) }
                        XCTAssertEqual(Elementwise.sumSquaredDeviations(x, center: 0.25, count: count), deviations,
                                       accuracy: 1e-4)
                    }
                }
            }
        }
    }

    func testParallelChunksCoverEveryIndexOnceOnVectorBoundaries() {
        for count in [0, 5, 16, 70_001, 300_000] {
            var hits = [Int32](repeating: 0, count: count)
            hits.withUnsafeMutableBufferPointer { h in
                let base = h.baseAddress
                Elementwise.parallelChunks(count, Parallelism(threads: 3)) { range in
                    XCTAssertTrue(range.lowerBound % 16 == 0)
                    for i in range { base![i] += 1 }
                }
            }
            XCTAssertTrue(hits.allSatisfy { $0 == 1 }, "count \(count)")
        }
    }
}

final class MomentTests: XCTestCase {
    /// One-pass shifted moments give the two-pass variance even with a large offset.
    func testShiftedMomentsMatchTwoPassVariance() {
        var random = SeededRandom(seed: 52)
        let x = (0..<1000).map { _ in 1000 + random.nextFloat() }
        x.withUnsafeBufferPointer { p in
            let (sum, squares) = Elementwise.shiftedMoments(p.baseAddress!, shift: x[0], count: x.count)
            let m1 = sum / 1000, variance = squares / 1000 - m1 * m1
            let mean = x.map(Double.init).reduce(0, +) / 1000
            let exact = x.map { (Double($0) - mean) * (Double($0) - mean) }.reduce(0, +) / 1000
            XCTAssertEqual(Double(x[0] + m1), mean, accuracy: 1e-4)
            XCTAssertEqual(Double(variance), exact, accuracy: 1e-3 * exact)
        }
    }
}

/// `scaleShift` and `shiftedMoments` on every code path this host runs (the AVX-512 and AVX2
/// C kernels, the Swift baseline) against their Swift twins, bit for bit, on spread-out
/// values and on awkward ones (signed zeros, NaN, infinities): GroupNorm's results must not
/// change with the CPU.
final class ElementwiseParityTests: XCTestCase {
    func testScaleShiftAndShiftedMomentsMatchSwiftKernelsBitForBit() {
        for isa in VectorISA.hostSupported {
            for awkward in [false, true] { checkScaleShiftAndShiftedMoments(isa, awkward: awkward) }
        }
    }

    private func checkScaleShiftAndShiftedMoments(_ isa: VectorISA, awkward: Bool) {
        var random = SeededRandom(seed: awkward ? 54 : 53)
        var counts = Array(0...70) + [255, 256, 257, 1000, 4096, 4111]
        for _ in 0..<20 { counts.append(random.nextInt(below: 20_000)) }
        for count in counts {
            // Values spread over magnitudes, so any change in rounding or order shows.
            let x = (0..<(count + 1)).map { _ in
                awkward ? AwkwardFloats.next(&random, oneIn: 40)
                        : (random.nextFloat() * 2 - 1) * Float(1 << random.nextInt(below: 12)) + 3
            }
            let scale = random.nextFloat() * 4 - 2, shift = random.nextFloat() * 2 - 1
            let label = "\(isa)\(awkward ? ", awkward values" : ""), count \(count)"
            x.withUnsafeBufferPointer { xp in
                let source = xp.baseAddress! + count % 2   // odd offsets: unaligned loads
                let center = count > 0 ? source[0] : 0
                let moments = Elementwise.shiftedMoments(source, shift: center, count: count, isa: isa)
                let expected = Elementwise.shiftedMomentsPortable(source, shift: center, count: count)
                XCTAssertEqual(moments.sum.bitPattern, expected.sum.bitPattern, "sum, \(label)")
                XCTAssertEqual(moments.squares.bitPattern, expected.squares.bitPattern, "squares, \(label)")

                // One float more than written: the tail must not touch it.
                var out = [Float](repeating: 7, count: count + 1), reference = out
                out.withUnsafeMutableBufferPointer {
                    Elementwise.scaleShift(source, scale: scale, shift: shift, into: $0.baseAddress!, count: count, isa: isa)
                }
                reference.withUnsafeMutableBufferPointer {
                    Elementwise.scaleShiftPortable(source, scale: scale, shift: shift, into: $0.baseAddress!, count: count)
                }
                XCTAssertEqual(out.map(\.bitPattern), reference.map(\.bitPattern), "scaleShift, \(label)")
            }
            // In place (out aliases x).
            var inPlace = x, inPlaceReference = x
            inPlace.withUnsafeMutableBufferPointer {
                Elementwise.scaleShift($0.baseAddress!, scale: scale, shift: shift, into: $0.baseAddress!, count: count,
                                       isa: isa)
            }
            inPlaceReference.withUnsafeMutableBufferPointer {
                Elementwise.scaleShiftPortable($0.baseAddress!, scale: scale, shift: shift, into: $0.baseAddress!,
                                               count: count)
            }
            XCTAssertEqual(inPlace.map(\.bitPattern), inPlaceReference.map(\.bitPattern), "in place, \(label)")
        }
    }
}
