// Memory sampler: q proportional to 1 / (s + 1e-7) (hand-computed), class frequencies
// matching q (chi-square), empty queues giving no samples or excluded from the draw,
// 8 x 4 samples at most, slots always filled ones, determinism per seed.
import XCTest
@testable import SharedLongTail
import SharedSupport

final class MemorySamplerTests: XCTestCase {
    func testClassProbabilitiesHandComputed() {
        let q = MemorySampler().classProbabilities(foregroundScores: [0.5, 0.25, 0.125])
        // 1/s = 2, 4, 8 (epsilon negligible): q = 2/14, 4/14, 8/14.
        XCTAssertEqual(q[0], 2.0 / 14, accuracy: 1e-6)
        XCTAssertEqual(q[1], 4.0 / 14, accuracy: 1e-6)
        XCTAssertEqual(q[2], 8.0 / 14, accuracy: 1e-6)
        let masked = MemorySampler().classProbabilities(foregroundScores: [0.5, 0.25, 0.125], eligible: [true, false, true])
        XCTAssertEqual(masked[1], 0)
        XCTAssertEqual(masked[0], 0.2, accuracy: 1e-6)
        // A class with score 0 dominates but stays finite.
        XCTAssert(MemorySampler().classProbabilities(foregroundScores: [0, 0.5]).allSatisfy { $0.isFinite })
    }

    func testCategoricalDrawFrequenciesMatchQ() {
        let q: [Double] = [0.05, 0.0, 0.3, 0.15, 0.5]
        var random = SeededRandom(seed: 77)
        var counts = [Int](repeating: 0, count: q.count)
        for c in drawCategorical(q, count: 50_000, random: &random) { counts[c] += 1 }
        // 3 degrees of freedom (4 non-zero bins): P(chi2 > 16.27) = 0.001.
        XCTAssertLessThan(chiSquare(counts: counts, probabilities: q), 16.27, "\(counts)")
    }

    func testSamplesFollowQAndSkipEmptyQueues() {
        var memory = FeatureMemory(classCount: 4, capacity: 80, featureSize: 1)
        for (c, n) in [(0, 80), (1, 3), (3, 10)] { for i in 0..<n { memory.push(classIndex: c, feature: [Float(i)], target: .zero) } }
        var scores = MeanScores(foregroundClassCount: 4)
        scores.update(with: [MeanScoreObservation(classIndex: 0, value: 0.6), MeanScoreObservation(classIndex: 1, value: 0.05),
                             MeanScoreObservation(classIndex: 3, value: 0.2)])
        let sampler = MemorySampler()
        let q = sampler.classProbabilities(foregroundScores: Array(scores.scores[0..<4]))
        var random = SeededRandom(seed: 5)
        var classDraws = [Int](repeating: 0, count: 4)
        var iterations = 0, samples = 0
        for _ in 0..<4000 {
            let drawn = sampler.sample(memory: memory, meanScores: scores, random: &random)
            iterations += 1; samples += drawn.count
            XCTAssertLessThanOrEqual(drawn.count, 32)
            XCTAssertEqual(drawn.count % 4, 0)
            for s in drawn { XCTAssert(s.slot < memory.counts[s.classIndex]) }
            XCTAssertEqual(drawn.map(\.classIndex), drawn.map(\.classIndex).sorted(), "classes come in ascending order")
            for k in stride(from: 0, to: drawn.count, by: 4) { classDraws[drawn[k].classIndex] += 1 }
        }
        XCTAssertEqual(classDraws[2], 0, "class 2's queue is empty")
        // Among the non-empty classes, draws follow q renormalised over them (2 degrees of freedom: 13.82).
        let nonEmpty = q.enumerated().map { $0.offset == 2 ? 0 : $0.element }
        let total = nonEmpty.reduce(0, +)
        XCTAssertLessThan(chiSquare(counts: classDraws, probabilities: nonEmpty.map { $0 / total }), 13.82, "\(classDraws)")
        // drawAndSkip: class 2 is still drawn sometimes, so on average fewer than 32 samples.
        XCTAssertEqual(Double(samples) / Double(iterations), 32 * (1 - q[2]), accuracy: 0.6)
        var excluding = SeededRandom(seed: 6)
        let excluded = MemorySampler(emptyQueuePolicy: .excludeFromDraw)
        for _ in 0..<50 { XCTAssertEqual(excluded.sample(memory: memory, meanScores: scores, random: &excluding).count, 32) }
    }

    func testDeterministicAndEmptyMemory() {
        var memory = FeatureMemory(classCount: 3, capacity: 80, featureSize: 1)
        let scores = MeanScores(foregroundClassCount: 3)
        var random = SeededRandom(seed: 1)
        XCTAssertEqual(MemorySampler().sample(memory: memory, meanScores: scores, random: &random), [])
        XCTAssertEqual(MemorySampler(emptyQueuePolicy: .excludeFromDraw).sample(memory: memory, meanScores: scores, random: &random), [])
        for i in 0..<7 { memory.push(classIndex: i % 3, feature: [0], target: .zero) }
        var a = SeededRandom(seed: 9), b = SeededRandom(seed: 9)
        XCTAssertEqual(MemorySampler().sample(memory: memory, meanScores: scores, random: &a),
                       MemorySampler().sample(memory: memory, meanScores: scores, random: &b))
    }
}
