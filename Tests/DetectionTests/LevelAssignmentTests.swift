// RoI level assignment: the mmdetection thresholds 112 / 224 / 448 and agreement with the
// FPN-paper form of docs/method.md §Stage 1,
// clamp(floor(4 + log2(sqrt(wh) / 224)), 2, 5) - 2.
import XCTest
import Foundation
@testable import SharedDetection

final class LevelAssignmentTests: XCTestCase {
    func square(_ side: Float) -> Box { Box(x1: 10, y1: 10, x2: 10 + side, y2: 10 + side) }

    func testThresholds() {
        XCTAssertEqual(roiLevels([square(0), square(50), square(111.9), square(112), square(223), square(224),
                                  square(447), square(448), square(2000)]),
                       [0, 0, 0, 1, 1, 2, 2, 3, 3])
        // Non-square: sqrt(56 * 224) = 112.
        XCTAssertEqual(roiLevels([Box(x1: 0, y1: 0, x2: 56, y2: 224)]), [1])
        XCTAssertEqual(roiLevels([square(2000)], levelCount: 5), [4])
    }

    func testAgreesWithTheFPNPaperFormAwayFromBoundaries() {
        var source = SeededRandomBoxSource(seed: 4)
        let boxes = randomBoxes(500, extent: 100, minimumSide: 1, maximumSide: 900, random: &source)
        for (box, level) in zip(boxes, roiLevels(boxes)) {
            let scale = Double(box.width * box.height).squareRoot()
            let paper = Swift.min(Swift.max(floor(4 + log2(scale / 224)), 2), 5) - 2
            XCTAssertEqual(level, Int(paper), "scale \(scale)")
        }
    }
}
