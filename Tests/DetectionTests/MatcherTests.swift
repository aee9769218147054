// Max-IoU assignment on hand-built IoU matrices: thresholds, ignored band, low-quality
// matches (all boxes tying for a GT's best, later GTs overwrite), no GT, no boxes.
import XCTest
@testable import SharedDetection

final class MatcherTests: XCTestCase {
    func testRPNThresholdsAndLowQualityMatches() {
        // rows = 6 boxes, columns = 3 GTs
        let iou = IoUMatrix(rows: 6, columns: 3, values: [
            0.80, 0.10, 0.00,  // positive for GT 0
            0.50, 0.20, 0.00,  // ignored (0.3 <= 0.5 < 0.7)
            0.10, 0.29, 0.00,  // background
            0.00, 0.45, 0.20,  // GT 1's best (0.45 >= 0.3): low-quality positive
            0.00, 0.45, 0.25,  // ties GT 1's best: also positive for GT 1
            0.00, 0.00, 0.25,  // GT 2's best is 0.25 < 0.3: no low-quality match -> background
        ])
        let result = MaxIoUMatcher.rpn.match(iou)
        XCTAssertEqual(result.labels, [.positive(groundTruth: 0), .ignored, .background,
                                       .positive(groundTruth: 1), .positive(groundTruth: 1), .background])
        assertClose(result.maxIoU, [0.8, 0.5, 0.29, 0.45, 0.45, 0.25])
        XCTAssertEqual(result.positiveIndices, [0, 3, 4])
        XCTAssertEqual(result.backgroundIndices, [2, 5])
    }

    func testLowQualityMatchOverridesAndLaterGTWins() {
        let iou = IoUMatrix(rows: 2, columns: 2, values: [
            0.90, 0.40,  // positive for GT 0 by threshold...
            0.10, 0.35,
        ])
        // GT 1's best (0.40) is box 0: the low-quality pass reassigns box 0 to GT 1 (mmdetection behaviour).
        let result = MaxIoUMatcher.rpn.match(iou)
        XCTAssertEqual(result.labels, [.positive(groundTruth: 1), .ignored])
        let withoutLowQuality = MaxIoUMatcher(positiveFrom: 0.7, negativeBelow: 0.3, minimumPositiveIoU: 0.3, lowQualityMatches: false)
        XCTAssertEqual(withoutLowQuality.match(iou).labels, [.positive(groundTruth: 0), .ignored])
    }

    func testRCNNThresholdsAndTiesPickTheFirstGT() {
        let iou = IoUMatrix(rows: 3, columns: 2, values: [0.6, 0.6, 0.49, 0.2, 0.5, 0.0])
        let result = MaxIoUMatcher(positiveFrom: 0.5, negativeBelow: 0.5, minimumPositiveIoU: 0.5, lowQualityMatches: false).match(iou)
        XCTAssertEqual(result.labels, [.positive(groundTruth: 0), .background, .positive(groundTruth: 0)])
    }

    func testNoGroundTruthMeansAllBackgroundAndNoBoxesMeansEmpty() {
        let result = MaxIoUMatcher.rpn.match(IoUMatrix(rows: 4, columns: 0, values: []))
        XCTAssertEqual(result.labels, Array(repeating: .background, count: 4))
        XCTAssertEqual(result.maxIoU, [0, 0, 0, 0])
        XCTAssertEqual(MaxIoUMatcher.rcnn.match(IoUMatrix(rows: 0, columns: 3, values: [])).labels, [])
    }

    func testMatcherOnRealBoxesEveryGTGetsAPositive() {
        var source = SeededRandomBoxSource(seed: 5)
        let gts = randomBoxes(6, minimumSide: 20, random: &source)
        let anchors = AnchorGenerator().gridAnchors(level: 1, featureHeight: 32, featureWidth: 32)
        let result = MaxIoUMatcher.rpn.match(pairwiseIoU(anchors, gts))
        let matched = Set(result.labels.compactMap(\.groundTruth))
        let iou = pairwiseIoU(anchors, gts)
        for g in 0..<gts.count {
            let best = (0..<anchors.count).map { iou[$0, g] }.max()!
            if best >= 0.3 { XCTAssert(matched.contains(g), "GT \(g) with best IoU \(best) has no positive") }
        }
        for (i, label) in result.labels.enumerated() {
            if label == .background { XCTAssertLessThan(result.maxIoU[i], 0.3) }
            if label == .ignored { XCTAssert(result.maxIoU[i] >= 0.3 && result.maxIoU[i] < 0.7) }
        }
    }
}
