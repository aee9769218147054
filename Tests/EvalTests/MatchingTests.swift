// The engine on hand-checkable cells: a crowd region absorbs any number of detections
// (neither TP nor FP), a category without ground truth stays -1, the LVIS not-exhaustive
// rule turns an unmatched detection into an ignored one.
import SharedData
import SharedEval
import SharedSupport
import XCTest

/// IoU values given by hand: `table[detection][groundTruth]`.
private struct TableOverlaps: OverlapSource {
    let table: [[Double]]
    func overlaps(detections: UnsafeBufferPointer<Int32>, groundTruths: UnsafeBufferPointer<Int32>,
                  crowd: UnsafeBufferPointer<Bool>, into iou: UnsafeMutableBufferPointer<Double>) throws {
        for d in 0..<detections.count {
            for g in 0..<groundTruths.count {
                iou[d * groundTruths.count + g] = table[Int(detections[d])][Int(groundTruths[g])]
            }
        }
    }
}

final class MatchingTests: XCTestCase {
    let onePlusEpsilonInverse = 1.0 / (1.0 + 2.220446049250313e-16)

    /// Image 0, category 0: GT0 (area 100), GT1 crowd (area 5000). Detections by score:
    /// d0 IoU 0.8 with GT0; d1, d2 inside the crowd (0.7, 0.9); d3 matches nothing.
    /// Category 1 has a detection but no ground truth.
    func makeSet(notExhaustive: Bool = false) -> EvaluationSet {
        var set = EvaluationSet(imageCount: 1, categoryCount: 2)
        set.appendGroundTruth(image: 0, category: 0, area: 100, ignore: false, crowd: false)
        set.appendGroundTruth(image: 0, category: 0, area: 5000, ignore: true, crowd: true)
        for (score, category) in [(0.9, 0), (0.8, 0), (0.7, 0), (0.6, 0), (0.5, 1)] {
            set.appendDetection(image: 0, category: category, score: score, area: 400, notExhaustive: notExhaustive && score == 0.6)
        }
        return set
    }

    let table: [[Double]] = [[0.8, 0.0], [0.0, 0.7], [0.0, 0.9], [0.0, 0.0], [0.0, 0.0]]

    func testCrowdAbsorbsDetections() throws {
        let parameters = EvaluationParameters(style: .coco)
        let result = try Evaluator(parameters: parameters, parallelism: .serial)
            .evaluate(makeSet(), overlaps: TableOverlaps(table: table))
        // IoU 0.5: d0 TP, d1/d2 ignored (crowd), d3 FP: precision 1/(1+eps) at every recall point.
        for r in 0..<101 {
            XCTAssertEqual(result.precision(t: 0, r: r, k: 0, a: 0, m: 2), onePlusEpsilonInverse)
        }
        XCTAssertEqual(result.recall(t: 0, k: 0, a: 0, m: 2), 1)
        // IoU 0.95: nothing matches; recall 0, precision 0.
        XCTAssertEqual(result.recall(t: 9, k: 0, a: 0, m: 2), 0)
        XCTAssertEqual(result.precision(t: 9, r: 0, k: 0, a: 0, m: 2), 0)
        // maxDets 1: only d0 counts.
        XCTAssertEqual(result.recall(t: 0, k: 0, a: 0, m: 0), 1)
        // A category with detections but no GT is left out (-1), as pycocotools does.
        XCTAssertEqual(result.precision(t: 0, r: 0, k: 1, a: 0, m: 2), -1)
        XCTAssertEqual(result.recall(t: 0, k: 1, a: 0, m: 2), -1)
        // Small range [0, 1024]: GT0 (100) counts, detections of area 400 too.
        XCTAssertEqual(result.recall(t: 0, k: 0, a: 1, m: 2), 1)
        // Large range: no GT in range -> -1.
        XCTAssertEqual(result.recall(t: 0, k: 0, a: 3, m: 2), -1)
    }

    func testNotExhaustiveCategoryIgnoresUnmatchedDetections() throws {
        let parameters = EvaluationParameters(style: .lvis)
        var set = makeSet(notExhaustive: true)
        // LVIS has no crowd: make GT1 an ordinary ignored ground truth.
        set.groundTruthCrowd[1] = false
        let result = try Evaluator(parameters: parameters, parallelism: .serial)
            .evaluate(set, overlaps: TableOverlaps(table: table))
        // IoU 0.5: d0 TP, d1 matched to the ignored GT1 (ignored), d2 cannot take GT1 again
        // (not crowd) and becomes an FP; d3 unmatched but not exhaustive: ignored.
        // tp = [1, 1], fp = [0, 1] -> precision 1/(1+eps) at all recall points.
        XCTAssertEqual(result.precision(t: 0, r: 100, k: 0, a: 0, m: 0), onePlusEpsilonInverse)
        XCTAssertEqual(result.recall(t: 0, k: 0, a: 0, m: 0), 1)
        let summary = Summary.lvis(result, frequencies: [.rare, .frequent])
        XCTAssertEqual(summary.map(\.name), ["AP", "AP50", "AP75", "APs", "APm", "APl", "APr", "APc", "APf",
                                             "AR@300", "ARs@300", "ARm@300", "ARl@300"])
        XCTAssertEqual(summary[7].value, -1, "no common category: APc is -1")
        XCTAssertEqual(summary[1].value, numpyMean([Double](repeating: onePlusEpsilonInverse, count: 101)), "AP50")
        XCTAssertEqual(summary[8].value, -1, "the frequent category has no GT: APf is -1")
    }
}
