// Seeded generators: the published SplitMix64 sequence, determinism, state round trips,
// unbiased bounded integers.
import XCTest
@testable import SharedSupport

final class RandomTests: XCTestCase {
    func testSplitMix64MatchesVignasReferenceForSeedZero() {
        // First outputs of Vigna's splitmix64.c with x = 0.
        var generator = SplitMix64(seed: 0)
        XCTAssertEqual(generator.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(generator.next(), 0x6E78_9E6A_A1B9_65F4)
        XCTAssertEqual(generator.next(), 0x06C4_5D18_8009_454F)
    }

    func testSameSeedSameStreamDifferentSeedDifferentStream() {
        var a = SeededRandom(seed: 42), b = SeededRandom(seed: 42), c = SeededRandom(seed: 43)
        let sa = (0..<100).map { _ in a.next() }
        XCTAssertEqual(sa, (0..<100).map { _ in b.next() })
        XCTAssertNotEqual(sa, (0..<100).map { _ in c.next() })
    }

    func testStateRoundTripResumesTheExactStream() {
        var original = SeededRandom(seed: 7)
        for _ in 0..<13 { _ = original.next() }
        var restored = SeededRandom(stateWords: original.stateWords)
        XCTAssertEqual((0..<50).map { _ in original.next() }, (0..<50).map { _ in restored.next() })
    }

    func testStreamsAreIndependent() {
        var a = SeededRandom(seed: 5, stream: 0), b = SeededRandom(seed: 5, stream: 1)
        XCTAssertNotEqual((0..<10).map { _ in a.next() }, (0..<10).map { _ in b.next() })
    }

    func testBoundedIntegersAreUniformWithinChiSquareBound() {
        var random = SeededRandom(seed: 2024)
        let bins = 10, draws = 100_000
        var counts = [Int](repeating: 0, count: bins)
        for _ in 0..<draws {
            let value = random.nextInt(below: bins)
            XCTAssert((0..<bins).contains(value))
            counts[value] += 1
        }
        let expected = Double(draws) / Double(bins)
        let chiSquare = counts.reduce(0.0) { $0 + pow(Double($1) - expected, 2) / expected }
        XCTAssertLessThan(chiSquare, 27.88, "chi-square(9) exceeds its 0.001 quantile: \(counts)")
    }

    func testFloatsAreInUnitIntervalAndGaussianHasUnitMoments() {
        var random = SeededRandom(seed: 9)
        var sum = 0.0, sumSquares = 0.0
        let count = 200_000
        for _ in 0..<count {
            let f = random.nextFloat()
            XCTAssert(f >= 0 && f < 1)
            let g = Double(random.nextGaussian())
            sum += g
            sumSquares += g * g
        }
        XCTAssertEqual(sum / Double(count), 0, accuracy: 0.01)
        XCTAssertEqual(sumSquares / Double(count), 1, accuracy: 0.02)
    }
}
