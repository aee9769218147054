// Mean-score tracker: the alpha^n update on hand-computed cases, equivalence with n EMA
// steps, background constant, untouched classes, restore round trip, and the observation
// builders (per GT over its positive RoIs, per memory class), indexed by assignment.
import XCTest
import Foundation
@testable import SharedLongTail

final class MeanScoresTests: XCTestCase {
    func testHandComputedUpdates() {
        var s = MeanScores(foregroundClassCount: 3)
        XCTAssertEqual(s.scores, [0.01, 0.01, 0.01, 0.01])
        s.update(with: [MeanScoreObservation(classIndex: 0, value: 0.5), MeanScoreObservation(classIndex: 1, value: 0.2),
                        MeanScoreObservation(classIndex: 0, value: 0.7)])
        // class 0: n = 2, m = 0.6: 0.81 * 0.01 + 0.19 * 0.6 = 0.1221; class 1: 0.9 * 0.01 + 0.1 * 0.2 = 0.029.
        XCTAssertEqual(s.scores[0], 0.1221, accuracy: 1e-7)
        XCTAssertEqual(s.scores[1], 0.029, accuracy: 1e-7)
        XCTAssertEqual(s.scores[2], 0.01)
        XCTAssertEqual(s.scores[3], 0.01)
        XCTAssertEqual(s.observationCounts, [2, 1, 0, 0])
        s.update(with: [MeanScoreObservation(classIndex: 0, value: 0.1)])
        // 0.9 * 0.1221 + 0.1 * 0.1 = 0.11989.
        XCTAssertEqual(s.scores[0], 0.11989, accuracy: 1e-7)
        XCTAssertEqual(s.scores[1], 0.029, accuracy: 1e-7)
        XCTAssertEqual(s.observationCounts, [3, 1, 0, 0])
        s.update(with: [])
        XCTAssertEqual(s.scores[0], 0.11989, accuracy: 1e-7)
    }

    func testAlphaToTheNEqualsNStepsOfEMATowardTheMean() {
        var batch = MeanScores(foregroundClassCount: 2)
        let values: [Float] = [0.3, 0.9, 0.6, 0.2, 0.5]
        batch.update(with: values.map { MeanScoreObservation(classIndex: 1, value: $0) })
        let mean = Double(values.reduce(0, +)) / Double(values.count)
        var ema = 0.01
        for _ in values { ema = 0.9 * ema + 0.1 * mean }
        XCTAssertEqual(Double(batch.scores[1]), ema, accuracy: 1e-7)
        let decay: Double = pow(0.9, 5)
        XCTAssertEqual(Double(batch.scores[1]), decay * 0.01 + (1 - decay) * mean, accuracy: 1e-7)
    }

    func testRestoreRoundTripAndBackgroundReset() throws {
        var s = MeanScores(foregroundClassCount: 2)
        s.update(with: [MeanScoreObservation(classIndex: 0, value: 0.8)])
        let restored = try MeanScores(scores: s.scores, observationCounts: s.observationCounts)
        XCTAssertEqual(restored, s)
        let withBadBackground = try MeanScores(scores: [0.5, 0.5, 0.7], observationCounts: [1, 1, 0])
        XCTAssertEqual(withBadBackground.scores[2], 0.01)
        XCTAssertThrowsError(try MeanScores(scores: [0.5, 0.5], observationCounts: [1]))
        XCTAssertThrowsError(try MeanScores(scores: [0.5, .nan, 0.01], observationCounts: [1, 1, 0]))
        XCTAssertEqual(s.logScores[2], log(Float(0.01)), accuracy: 1e-6)
    }

    func testObservationsPerGroundTruthAndPerMemoryClass() {
        // K = 3 (2 foreground + background). Rows 0..4: RoIs; rows 5..7: memory samples.
        let p: [Float] = [0.6, 0.3, 0.1,
                          0.2, 0.7, 0.1,
                          0.4, 0.4, 0.2,
                          0.1, 0.1, 0.8,  // negative RoI: no observation
                          0.9, 0.05, 0.05,
                          0.5, 0.25, 0.25,
                          0.3, 0.6, 0.1,
                          0.1, 0.2, 0.7]
        // Positives: rows 0, 2 -> GT 10 (class 0); row 1 -> GT 11 (class 1); row 4 -> GT 12 (class 0), listed out of order.
        let positives = positiveRoIObservations(probabilities: p, classCount: 3, positiveRows: [4, 0, 1, 2],
                                                groundTruthIDs: [12, 10, 11, 10], groundTruthClasses: [0, 0, 1, 0])
        XCTAssertEqual(positives.count, 3)
        XCTAssertEqual(positives[0].classIndex, 0); XCTAssertEqual(positives[0].value, 0.5, accuracy: 1e-7)  // (0.6 + 0.4) / 2
        XCTAssertEqual(positives[1].classIndex, 1); XCTAssertEqual(positives[1].value, 0.7, accuracy: 1e-7)
        XCTAssertEqual(positives[2].classIndex, 0); XCTAssertEqual(positives[2].value, 0.9, accuracy: 1e-7)
        let memory = memorySampleObservations(probabilities: p, classCount: 3, memoryRows: [5, 6, 7], memoryClasses: [0, 1, 1])
        XCTAssertEqual(memory.count, 2)
        XCTAssertEqual(memory[0].classIndex, 0); XCTAssertEqual(memory[0].value, 0.5, accuracy: 1e-7)
        XCTAssertEqual(memory[1].classIndex, 1); XCTAssertEqual(memory[1].value, 0.4, accuracy: 1e-7)  // (0.6 + 0.2) / 2
        var s = MeanScores(foregroundClassCount: 2)
        s.update(with: positives + memory)
        // class 0: observations 0.5, 0.9, 0.5 (n = 3, m = 0.6333); class 1: 0.7, 0.4 (n = 2, m = 0.55).
        let decay3: Double = pow(0.9, 3), decay2: Double = pow(0.9, 2)
        let expected0: Double = decay3 * 0.01 + (1 - decay3) * (1.9 / 3)
        let expected1: Double = decay2 * 0.01 + (1 - decay2) * 0.55
        XCTAssertEqual(Double(s.scores[0]), expected0, accuracy: 1e-6)
        XCTAssertEqual(Double(s.scores[1]), expected1, accuracy: 1e-6)
    }
}
