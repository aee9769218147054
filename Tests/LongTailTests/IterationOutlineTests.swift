// docs/method.md §Stage-2 iteration with the pure parts only: jitter -> push (first 80 per
// class) -> sample by s -> raw softmax -> mean-score observations -> update s -> EBL on
// z + log s. A stand-in for RoIAlign and the classifier (a fixed linear map of a few box features)
// keeps it small; the test checks the bookkeeping between the steps, in the order the
// fine-tuning loop uses.
import XCTest
import Foundation
@testable import SharedLongTail
import SharedDetection
import SharedSupport

final class IterationOutlineTests: XCTestCase {
    let classCount = 3  // foreground; background = 3
    let featureSize = 4

    /// Stand-in for RoIAlign: a few numbers that depend on the box.
    func feature(_ box: Box, _ size: ImageSize) -> [Float] {
        [box.centerX / Float(size.width), box.centerY / Float(size.height), box.width / Float(size.width), box.height / Float(size.height)]
    }

    /// Stand-in classifier: K = 4 logits from a 4-d feature.
    func logits(_ feature: [Float]) -> [Float] {
        let w: [[Float]] = [[2, -1, 0.5, 1], [-1, 2, 1, -0.5], [0.5, 0.5, -2, 1], [0, 0, 0, 0]]
        return w.map { row in zip(row, feature).map(*).reduce(0, +) }
    }

    func testOneIterationKeepsTheBookkeepingStraight() {
        let size = ImageSize(width: 100, height: 80)
        let gts = [Box(x1: 10, y1: 10, x2: 40, y2: 50), Box(x1: 50, y1: 20, x2: 90, y2: 70), Box(x1: 20, y1: 30, x2: 35, y2: 45),
                   Box(x1: 60, y1: 5, x2: 95, y2: 30), Box(x1: 5, y1: 40, x2: 30, y2: 75), Box(x1: 40, y1: 40, x2: 70, y2: 78)]
        let gtClasses = [0, 0, 0, 0, 0, 1]  // class 0 has 5 GTs (80 jittered boxes), class 1 one, class 2 none
        var random = SeededRandom(seed: 2021)
        var memory = FeatureMemory(classCount: classCount, capacity: 80, featureSize: featureSize)
        var scores = MeanScores(foregroundClassCount: classCount)

        // 1. Jitter and push at most the first 80 boxes per class.
        let jittered = jitterBoxes(gts, imageSize: size, random: &random)
        let labels = jittered.map { gtClasses[$0.groundTruthIndex] }
        for index in firstIndicesPerLabel(labels, limit: 80) {
            memory.push(classIndex: labels[index], feature: feature(jittered[index].box, size), target: jittered[index].target)
        }
        XCTAssertEqual(memory.counts, [80, 16, 0])

        // 2. Sample from the memory with q from s (all equal now: class 2 is drawn but empty).
        let samples = MemorySampler().sample(memory: memory, meanScores: scores, random: &random)
        XCTAssert(samples.allSatisfy { $0.classIndex != 2 })

        // 3. Classification rows: 4 "RoIs" (rows 0-2 positive for GTs 0, 0, 5; row 3 background), then memory samples.
        let roiBoxes = [gts[0], jittered[3].box, gts[5], Box(x1: 0, y1: 0, x2: 10, y2: 10)]
        var rows = roiBoxes.map { logits(feature($0, size)) }
        rows += samples.map { logits(Array(memory.feature(classIndex: $0.classIndex, slot: $0.slot))) }
        let z = rows.flatMap { $0 }
        let k = classCount + 1
        let rowLabels = [0, 0, 1, classCount] + samples.map(\.classIndex)
        let p = equilibriumLossForward(logits: z, labels: rowLabels, logMeanScores: Array(repeating: 0, count: k), averageFactor: 1)
            .saved.adjustedProbabilities  // softmax of the raw logits

        // 4. Observations: per GT with positives (GT 0 from rows 0-1, GT 5 from row 2), per memory class.
        let memoryRows = Array(4..<(4 + samples.count))
        let observations = positiveRoIObservations(probabilities: p, classCount: k, positiveRows: [0, 1, 2],
                                                   groundTruthIDs: [0, 0, 5], groundTruthClasses: [0, 0, 1])
            + memorySampleObservations(probabilities: p, classCount: k, memoryRows: memoryRows, memoryClasses: samples.map(\.classIndex))
        XCTAssertEqual(observations.count, 2 + Set(samples.map(\.classIndex)).count)
        XCTAssertEqual(observations[0].value, (p[0 * k + 0] + p[1 * k + 0]) / 2, accuracy: 1e-6)

        // 5. Update s before the loss; observed classes move, class 2 and the background stay.
        let before = scores.scores
        scores.update(with: observations)
        XCTAssertNotEqual(scores.scores[0], before[0])
        XCTAssertNotEqual(scores.scores[1], before[1])
        XCTAssertEqual(scores.scores[2], 0.01)
        XCTAssertEqual(scores.scores[3], 0.01)

        // 6. EBL with the updated s over every row, RoIs and memory samples alike.
        let loss = equilibriumLossForward(logits: z, labels: rowLabels, logMeanScores: scores.logScores,
                                          averageFactor: Float(rowLabels.count))
        var dLogits = [Float](repeating: 0, count: z.count)
        equilibriumLossBackward(dLogits: &dLogits, saved: loss.saved, labels: rowLabels, averageFactor: Float(rowLabels.count))
        XCTAssert(loss.loss.isFinite && loss.loss > 0)
        for row in 0..<rowLabels.count {
            // Each row's gradient sums to zero (softmax minus one-hot).
            XCTAssertEqual(dLogits[(row * k)..<((row + 1) * k)].reduce(0, +), 0, accuracy: 1e-6)
        }
    }
}
