// Proposal generation: per-level top-k before NMS, decode with clipping, per-level NMS
// (boxes of different levels do not suppress each other), small-box removal, final top N.
import XCTest
@testable import SharedDetection

final class ProposalGeneratorTests: XCTestCase {
    func testHandBuiltTwoLevels() {
        let anchorA = Box(x1: 0, y1: 0, x2: 10, y2: 10), anchorB = Box(x1: 1, y1: 0, x2: 11, y2: 10)  // IoU 0.818
        let anchorC = Box(x1: 50, y1: 50, x2: 60, y2: 60)
        // Level 0: A (0.9), B (0.8, suppressed by A), C (0.1, dropped by top-k 2 -> not even decoded).
        let level0 = RPNLevelOutput(anchors: [anchorA, anchorB, anchorC], scores: [0.9, 0.8, 0.1], deltas: [.zero, .zero, .zero])
        // Level 1: the same box as A (0.85) survives because NMS is per level; a box moved off the image is clipped.
        let moved = BoxDelta(dx: 10, dy: 0, dw: 0, dh: 0)
        let level1 = RPNLevelOutput(anchors: [anchorA, anchorC], scores: [0.85, 0.95], deltas: [.zero, moved])
        let generator = ProposalGenerator(preNMSTopK: 2, nmsThreshold: 0.7, postNMSTopN: 10)
        let result = generator.proposals(levels: [level0, level1], imageSize: ImageSize(width: 100, height: 80))
        XCTAssertEqual(result.scores, [0.95, 0.9, 0.85])
        XCTAssertEqual(result.levels, [1, 0, 1])
        XCTAssertEqual(result.boxes[0], Box(x1: 100, y1: 50, x2: 100, y2: 60))  // (150..160) clipped to width 100
        XCTAssertEqual(result.boxes[1], anchorA)
        XCTAssertEqual(result.boxes[2], anchorA)
        // Post-NMS cap and minimum size (the clipped zero-width box goes).
        let capped = ProposalGenerator(preNMSTopK: 2, postNMSTopN: 2, minimumSize: 1)
            .proposals(levels: [level0, level1], imageSize: ImageSize(width: 100, height: 80))
        XCTAssertEqual(capped.scores, [0.9, 0.85])
    }

    func testRandomLevelsKeepAtMostNSortedAndInsideTheImage() {
        var source = SeededRandomBoxSource(seed: 31)
        let generator = AnchorGenerator()
        let size = ImageSize(width: 120, height: 96)
        var levels: [RPNLevelOutput] = []
        for (level, stride) in generator.strides.enumerated() {
            let h = (96 + stride - 1) / stride, w = (120 + stride - 1) / stride
            let anchors = generator.gridAnchors(level: level, featureHeight: h, featureWidth: w)
            levels.append(RPNLevelOutput(anchors: anchors, scores: anchors.map { _ in source.uniform(0, 1) },
                                         deltas: anchors.map { _ in BoxDelta(dx: source.uniform(-0.3, 0.3), dy: source.uniform(-0.3, 0.3),
                                                                             dw: source.uniform(-0.5, 0.5), dh: source.uniform(-0.5, 0.5)) }))
        }
        let result = ProposalGenerator(preNMSTopK: 300, postNMSTopN: 200).proposals(levels: levels, imageSize: size)
        XCTAssertLessThanOrEqual(result.boxes.count, 200)
        XCTAssertGreaterThan(result.boxes.count, 50)
        XCTAssertEqual(result.scores, result.scores.sorted(by: >))
        for box in result.boxes { XCTAssert(box.x1 >= 0 && box.x2 <= 120 && box.y1 >= 0 && box.y2 <= 96) }
        for i in result.boxes.indices {
            for j in result.boxes.indices where j > i && result.levels[i] == result.levels[j] {
                XCTAssertLessThanOrEqual(intersectionOverUnion(result.boxes[i], result.boxes[j]), 0.7)
            }
        }
    }
}
