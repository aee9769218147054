// Random sampling of positives and negatives: counts (fraction cap, negatives fill up),
// subsets of the right pools, sorted and distinct, deterministic per seed, and uniform
// (every positive drawn about equally often).
import XCTest
@testable import SharedDetection
import SharedSupport

final class SamplerTests: XCTestCase {
    func makeMatch(positives: Int, negatives: Int, ignored: Int) -> MatchResult {
        var labels: [MatchLabel] = []
        for i in 0..<positives { labels.append(.positive(groundTruth: i % 3)) }
        labels += Array(repeating: .background, count: negatives) + Array(repeating: .ignored, count: ignored)
        var random = SeededRandom(seed: 99)
        for i in stride(from: labels.count - 1, to: 0, by: -1) { labels.swapAt(i, random.nextInt(below: i + 1)) }
        return MatchResult(labels: labels, maxIoU: Array(repeating: 0, count: labels.count))
    }

    func testCountsFollowTheFractionAndNegativesFillUp() {
        var random = SeededRandom(seed: 1)
        let many = makeMatch(positives: 300, negatives: 2000, ignored: 50)
        let a = RandomSampler.rpn.sample(many, random: &random)
        XCTAssertEqual(a.positives.count, 128); XCTAssertEqual(a.negatives.count, 128)
        let few = makeMatch(positives: 10, negatives: 2000, ignored: 50)
        let b = RandomSampler.rcnn.sample(few, random: &random)
        XCTAssertEqual(b.positives.count, 10); XCTAssertEqual(b.negatives.count, 502)
        let scarce = makeMatch(positives: 10, negatives: 20, ignored: 5)
        let c = RandomSampler.rcnn.sample(scarce, random: &random)
        XCTAssertEqual(c.positives.count, 10); XCTAssertEqual(c.negatives.count, 20)
        for sample in [a, b, c] {
            XCTAssertEqual(sample.positives, sample.positives.sorted())
            XCTAssertEqual(Set(sample.positives).count, sample.positives.count)
            XCTAssertEqual(Set(sample.negatives).count, sample.negatives.count)
        }
        for index in a.positives { XCTAssertNotNil(many.labels[index].groundTruth) }
        for index in a.negatives { XCTAssertEqual(many.labels[index], .background) }
    }

    func testDeterministicPerSeed() {
        let match = makeMatch(positives: 300, negatives: 2000, ignored: 50)
        var r1 = SeededRandom(seed: 7), r2 = SeededRandom(seed: 7), r3 = SeededRandom(seed: 8)
        XCTAssertEqual(RandomSampler.rpn.sample(match, random: &r1), RandomSampler.rpn.sample(match, random: &r2))
        XCTAssertNotEqual(RandomSampler.rpn.sample(match, random: &r1), RandomSampler.rpn.sample(match, random: &r3))
    }

    func testEveryElementEquallyLikelyChiSquare() {
        // Draw 5 of 20, 20000 times: each element expected 5000 times.
        var random = SeededRandom(seed: 2024)
        var counts = [Int](repeating: 0, count: 20)
        let trials = 20_000
        for _ in 0..<trials { for i in randomSubset(Array(0..<20), size: 5, random: &random) { counts[i] += 1 } }
        let expected = Double(trials * 5) / 20
        let chiSquare = counts.reduce(0.0) { $0 + pow(Double($1) - expected, 2) / expected }
        // 19 degrees of freedom: P(chi2 > 43.8) ~ 0.001.
        XCTAssertLessThan(chiSquare, 43.8, "counts \(counts)")
    }
}
