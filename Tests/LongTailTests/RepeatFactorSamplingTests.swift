// Repeat-factor sampling: r(c) = max(1, sqrt(t / f(c))) and r(I) = max over its categories
// on hand-computed cases; stochastic rounding matches r on average; an epoch's list is a
// permutation of the rounded repeats; determinism per seed.
import XCTest
import Foundation
@testable import SharedLongTail
import SharedSupport

final class RepeatFactorSamplingTests: XCTestCase {
    func testHandComputedFactors() {
        // 10000 images; t = 0.001. f = 1, 1e-4, 4e-4, 1e-3: r = 1, sqrt(10), sqrt(2.5), 1.
        let r = categoryRepeatFactors(imageCountPerCategory: [10_000, 1, 4, 10], imageCount: 10_000)
        XCTAssertEqual(r[0], 1); XCTAssertEqual(r[3], 1, accuracy: 1e-12)
        XCTAssertEqual(r[1], 10.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(r[2], 2.5.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(imageRepeatFactors(imageCategories: [[0], [0, 2], [2, 1, 0], []], categoryFactors: r),
                       [1, 2.5.squareRoot(), 10.0.squareRoot(), 1])
    }

    func testFactorsFromImageLists() {
        // 4 images; t = 0.5: f = [1, 0.25, 0.5] -> r = [1, sqrt(2), 1].
        let images = [[0, 0, 1], [0], [0, 2], [0, 2]]
        let (categories, perImage) = repeatFactors(imageCategories: images, categoryCount: 3, threshold: 0.5)
        XCTAssertEqual(categories[0], 1)
        XCTAssertEqual(categories[1], 2.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(categories[2], 1)
        XCTAssertEqual(perImage[0], 2.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(Array(perImage[1...]), [1, 1, 1])
    }

    func testStochasticRoundingIsUnbiasedAndEpochsArePermutations() {
        let factors = [1.0, 2.25, 3.0, 1.5, 10.0.squareRoot()]
        var random = SeededRandom(seed: 4)
        var sums = [Int](repeating: 0, count: factors.count)
        let epochs = 20_000
        for _ in 0..<epochs {
            let counts = stochasticRepeatCounts(factors, random: &random)
            for (i, (count, factor)) in zip(counts, factors).enumerated() {
                XCTAssert(count == Int(floor(factor)) || count == Int(floor(factor)) + 1)
                sums[i] += count
            }
        }
        for (sum, factor) in zip(sums, factors) { XCTAssertEqual(Double(sum) / Double(epochs), factor, accuracy: 0.015) }
        var a = SeededRandom(seed: 8), b = SeededRandom(seed: 8), c = SeededRandom(seed: 8)
        let epoch = repeatFactorEpochIndices(factors, random: &a)
        XCTAssertEqual(epoch, repeatFactorEpochIndices(factors, random: &b))
        let counts = stochasticRepeatCounts(factors, random: &c)
        XCTAssertEqual(epoch.sorted(), counts.enumerated().flatMap { Array(repeating: $0.offset, count: $0.element) })
        XCTAssertNotEqual(epoch, epoch.sorted(), "the epoch order is shuffled")
    }
}
