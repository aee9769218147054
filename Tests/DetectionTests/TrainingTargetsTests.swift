// Training targets: RPN anchor targets (only inside anchors, counts, targets decoding to
// their GT, positives really >= 0.7 or a GT's best) and box-head RoI targets (GT boxes
// added as proposals, positives first, labels with background = C, targets).
import XCTest
@testable import SharedDetection
import SharedSupport

final class TrainingTargetsTests: XCTestCase {
    func testAnchorTargets() {
        let generator = AnchorGenerator()
        let anchors = generator.gridAnchors(level: 1, featureHeight: 16, featureWidth: 16)
        var inside = generator.validFlags(level: 1, featureHeight: 16, featureWidth: 16, validSize: ImageSize(width: 100, height: 128))
        inside[0] = false
        let gts = [Box(x1: 10, y1: 12, x2: 90, y2: 52), Box(x1: 60, y1: 70, x2: 95, y2: 120)]
        var random = SeededRandom(seed: 1)
        let targets = anchorTargets(anchors: anchors, insideFlags: inside, groundTruth: gts, random: &random)
        XCTAssertFalse(targets.positives.isEmpty)
        XCTAssertLessThanOrEqual(targets.positives.count, 128)
        XCTAssertEqual(targets.positives.count + targets.negatives.count, 256)
        XCTAssertEqual(targets.averageFactor, 256)
        XCTAssertEqual(Set(targets.positiveGroundTruth), [0, 1])
        for index in targets.positives + targets.negatives { XCTAssert(inside[index]) }
        let iou = pairwiseIoU(anchors, gts)
        for index in targets.negatives { XCTAssertLessThan(max(iou[index, 0], iou[index, 1]), 0.3) }
        for (k, index) in targets.positives.enumerated() {
            let gt = targets.positiveGroundTruth[k]
            let decoded = DeltaXYWHBoxCoder.rpn.decode(targets.positiveTargets[k], relativeTo: anchors[index])
            for (a, b) in zip(decoded.corners, gts[gt].corners) { XCTAssertEqual(a, b, accuracy: 1e-3) }
            XCTAssertGreaterThanOrEqual(iou[index, gt], 0.3)
        }
    }

    func testRoITargets() {
        var source = SeededRandomBoxSource(seed: 2)
        let gts = [Box(x1: 10, y1: 10, x2: 60, y2: 50), Box(x1: 100, y1: 80, x2: 180, y2: 190)]
        var proposals = randomBoxes(300, random: &source)
        proposals.append(Box(x1: 12, y1: 11, x2: 61, y2: 52))  // a near-copy of GT 0
        var random = SeededRandom(seed: 3)
        let targets = roiTargets(proposals: proposals, groundTruth: gts, groundTruthClasses: [4, 1], classCount: 5, random: &random)
        XCTAssertEqual(targets.rois.count, min(512, proposals.count + 2))
        XCTAssertGreaterThanOrEqual(targets.positiveCount, 3)  // the two GT boxes and the near-copy
        XCTAssertEqual(targets.positiveTargets.count, targets.positiveCount)
        XCTAssertEqual(targets.isGroundTruthBox.filter { $0 }.count, 2)
        for i in 0..<targets.rois.count {
            if i < targets.positiveCount {
                let gt = targets.groundTruth[i]!
                XCTAssertEqual(targets.labels[i], [4, 1][gt])
                XCTAssertGreaterThanOrEqual(intersectionOverUnion(targets.rois[i], gts[gt]), 0.5)
                let decoded = DeltaXYWHBoxCoder.rcnn.decode(targets.positiveTargets[i], relativeTo: targets.rois[i])
                for (a, b) in zip(decoded.corners, gts[gt].corners) { XCTAssertEqual(a, b, accuracy: 1e-3) }
            } else {
                XCTAssertEqual(targets.labels[i], 5)
                XCTAssertNil(targets.groundTruth[i])
                XCTAssertLessThan(max(intersectionOverUnion(targets.rois[i], gts[0]), intersectionOverUnion(targets.rois[i], gts[1])), 0.5)
            }
        }
        // Without GT boxes as proposals and without proposals near a GT, nothing is positive.
        let none = roiTargets(proposals: [Box(x1: 300, y1: 300, x2: 320, y2: 330)], groundTruth: gts, groundTruthClasses: [4, 1],
                              classCount: 5, addGroundTruthAsProposals: false, random: &random)
        XCTAssertEqual(none.positiveCount, 0)
        XCTAssertEqual(none.labels, [5])
    }
}
