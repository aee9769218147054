// LOCEBoxLoss on hand-made rows: observations indexed by assignment
// (docs/method.md §Departures from the reference: images with fewer RoIs than the sampler's
// quota, GT ids unique across images), s updated before the loss, the loss and gradient equal
// to EBL with the updated s, plain CE when switched off.
import XCTest
@testable import SharedLongTail
@testable import SharedDetection
import SharedSupport

final class FinetuneBoxLossTests: XCTestCase {
    let k = 4  // 3 foreground classes + background

    /// Image 0: 3 RoIs (positives for GT 0, GT 1, then a negative); image 1: 2 RoIs (positive for its GT 0, a negative).
    func roiTargets() -> [RoITargets] {
        let box = Box(x1: 0, y1: 0, x2: 10, y2: 10), delta = BoxDelta(dx: 0, dy: 0, dw: 0, dh: 0)
        return [RoITargets(rois: [box, box, box], labels: [0, 2, 3], groundTruth: [0, 1, nil], isGroundTruthBox: [true, false, false],
                           positiveTargets: [delta, delta], positiveCount: 2),
                RoITargets(rois: [box, box], labels: [0, 3], groundTruth: [0, nil], isGroundTruthBox: [false, false],
                           positiveTargets: [delta], positiveCount: 1)]
    }

    func testObservationsAreIndexedByAssignmentAcrossImages() {
        // 5 RoI rows + 2 memory rows of class 1.
        let labels = [0, 2, 3, 0, 3, 1, 1]
        var probabilities = [Float](repeating: 0.25, count: labels.count * k)
        probabilities[0 * k + 0] = 0.6; probabilities[3 * k + 0] = 0.2  // two different GTs of class 0
        probabilities[5 * k + 1] = 0.1; probabilities[6 * k + 1] = 0.3
        let observations = LOCEBoxLoss.observations(probabilities: probabilities, classCount: k, labels: labels,
                                                    roiTargets: roiTargets(), extraRowStart: 5)
        // GT (image 0, 0), GT (image 0, 1), GT (image 1, 0): three observations, not merged across images; one for memory class 1.
        XCTAssertEqual(observations.count, 4)
        XCTAssertEqual(observations.filter { $0.classIndex == 0 }.map(\.value).sorted(), [0.2, 0.6])
        XCTAssertEqual(observations.filter { $0.classIndex == 2 }.map(\.value), [0.25])
        XCTAssertEqual(observations.filter { $0.classIndex == 1 }.first?.value ?? 0, 0.2, accuracy: 1e-6)
    }

    func testScoresUpdateBeforeTheLossAndTheLossIsEBLWithTheUpdatedScores() {
        let labels = [0, 2, 3, 0, 3, 1, 1]
        var random = SeededRandom(seed: 7)
        let logits = (0..<(labels.count * k)).map { _ in random.nextFloat() * 4 - 2 }
        for useEBL in [true, false] {
            let hook = LOCEBoxLoss(meanScores: MeanScores(foregroundClassCount: 3), mfs: nil,
                                   loss: .crossEntropy(equilibrium: useEBL), random: SeededRandom(seed: 1))
            var dLogits = [Float](repeating: 0, count: logits.count)
            let loss = logits.withUnsafeBufferPointer { z in
                dLogits.withUnsafeMutableBufferPointer {
                    hook.classificationLoss(logits: z, labels: labels, roiTargets: roiTargets(), extraRowStart: 5,
                                            averageFactor: 7, dLoss: 1, dLogits: $0)
                }
            }
            // The expected update: observations from the raw softmax.
            var expected = MeanScores(foregroundClassCount: 3)
            let raw = equilibriumLossForward(logits: logits, labels: labels, logMeanScores: [0, 0, 0, 0], averageFactor: 7)
            expected.update(with: LOCEBoxLoss.observations(probabilities: raw.saved.adjustedProbabilities, classCount: k, labels: labels,
                                                           roiTargets: roiTargets(), extraRowStart: 5))
            XCTAssertEqual(hook.meanScores, expected)
            XCTAssertNotEqual(expected.scores[0], 0.01)
            let logS = useEBL ? expected.logScores : [0, 0, 0, 0]
            let reference = equilibriumLossForward(logits: logits, labels: labels, logMeanScores: logS, averageFactor: 7)
            XCTAssertEqual(loss, reference.loss, accuracy: 1e-6)
            var dReference = [Float](repeating: 0, count: logits.count)
            equilibriumLossBackward(dLogits: &dReference, saved: reference.saved, labels: labels, averageFactor: 7)
            assertClose(dLogits, dReference, absolute: 1e-7)
        }
    }
}
