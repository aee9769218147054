// NMS: torchvision `nms` / `batched_nms` goldens, the fast kernel against the naive one on
// random clustered boxes, batched (per-group) against the offset trick, hand-made cases,
// the strict > threshold, maxKept and top-k.
import XCTest
@testable import SharedDetection
import SharedSupport

final class NMSTests: XCTestCase {
    func testMatchesTorchvisionNMSAndBatchedNMS() throws {
        let fixture = try Fixture.load("nms.json")
        for case_ in Fixture.objects(fixture["cases"]) {
            let boxes = Fixture.boxes(case_["boxes"]), scores = Fixture.floats(case_["scores"])
            let groups = Fixture.ints(case_["groups"])
            let threshold = Float((case_["iouThreshold"] as! NSNumber).doubleValue)
            XCTAssertEqual(nonMaximumSuppression(boxes, scores: scores, iouThreshold: threshold), Fixture.ints(case_["keep"]))
            XCTAssertEqual(batchedNonMaximumSuppression(boxes, scores: scores, groups: groups, iouThreshold: threshold),
                           Fixture.ints(case_["batchedKeep"]))
        }
    }

    func clusteredBoxes(_ count: Int, seed: UInt64) -> ([Box], [Float], [Int]) {
        var source = SeededRandomBoxSource(seed: seed)
        let centres = randomBoxes(6, extent: 150, minimumSide: 20, maximumSide: 70, random: &source)
        var boxes: [Box] = [], scores: [Float] = [], groups: [Int] = []
        for i in 0..<count {
            let c = centres[i % centres.count]
            boxes.append(Box(x1: c.x1 + source.uniform(-8, 8), y1: c.y1 + source.uniform(-8, 8),
                             x2: c.x2 + source.uniform(-8, 8), y2: c.y2 + source.uniform(-8, 8)))
            scores.append(source.uniform(0, 1))
            groups.append(Int(source.uniform(0, 5)))
        }
        return (boxes, scores, groups)
    }

    func testFastEqualsNaiveOnRandomClusters() {
        for seed in UInt64(1)...5 {
            let (boxes, scores, groups) = clusteredBoxes(300, seed: seed)
            for threshold: Float in [0.3, 0.5, 0.7] {
                XCTAssertEqual(nonMaximumSuppression(boxes, scores: scores, iouThreshold: threshold),
                               nonMaximumSuppressionNaive(boxes, scores: scores, iouThreshold: threshold))
                XCTAssertEqual(batchedNonMaximumSuppression(boxes, scores: scores, groups: groups, iouThreshold: threshold),
                               batchedNonMaximumSuppressionNaive(boxes, scores: scores, groups: groups, iouThreshold: threshold))
            }
        }
    }

    func testPropertiesKeptBoxesDoNotOverlapAndEveryDroppedBoxIsCovered() {
        let (boxes, scores, _) = clusteredBoxes(400, seed: 9)
        let kept = nonMaximumSuppression(boxes, scores: scores, iouThreshold: 0.5)
        for (a, i) in kept.enumerated() {
            for j in kept[(a + 1)...] { XCTAssertLessThanOrEqual(intersectionOverUnion(boxes[i], boxes[j]), 0.5) }
        }
        let keptSet = Set(kept)
        for d in boxes.indices where !keptSet.contains(d) {
            XCTAssert(kept.contains { scores[$0] >= scores[d] && intersectionOverUnion(boxes[$0], boxes[d]) > 0.5 })
        }
        XCTAssertEqual(kept.map { scores[$0] }, kept.map { scores[$0] }.sorted(by: >))
    }

    func testHandMadeCasesStrictThresholdTiesAndMaxKept() {
        let a = Box(x1: 0, y1: 0, x2: 10, y2: 10), b = Box(x1: 5, y1: 0, x2: 15, y2: 10)  // IoU 1/3
        let c = Box(x1: 100, y1: 100, x2: 110, y2: 110)
        XCTAssertEqual(nonMaximumSuppression([a, b, c], scores: [0.9, 0.8, 0.7], iouThreshold: 0.3), [0, 2])
        // IoU exactly equal to the threshold is kept (strictly greater suppresses).
        XCTAssertEqual(nonMaximumSuppression([a, Box(x1: 0, y1: 0, x2: 10, y2: 5)], scores: [0.9, 0.8], iouThreshold: 0.5), [0, 1])
        // Ties in score keep the lower index first.
        XCTAssertEqual(nonMaximumSuppression([a, a], scores: [0.5, 0.5], iouThreshold: 0.5), [0])
        XCTAssertEqual(nonMaximumSuppression([c, a, b], scores: [0.1, 0.9, 0.8], iouThreshold: 0.3, maxKept: 1), [1])
        // Same box in two groups survives twice in batched NMS.
        XCTAssertEqual(batchedNonMaximumSuppression([a, a, a], scores: [0.9, 0.8, 0.7], groups: [0, 1, 0], iouThreshold: 0.5), [0, 1])
        XCTAssertEqual(nonMaximumSuppression([], scores: [], iouThreshold: 0.5), [])
    }

    func testTopK() {
        XCTAssertEqual(topKIndices([0.1, 0.9, 0.5, 0.9, 0.3], k: 3), [1, 3, 2])
        XCTAssertEqual(topKIndices([0.1, 0.2], k: 5), [1, 0])
        XCTAssertEqual(topKIndices([0.1, 0.2], k: 0), [])
    }
}

final class TopKTests: XCTestCase {
    func testSelectionEqualsTheSortedPrefixWithTies() {
        var random = SeededRandom(seed: 12)
        for trial in 0..<40 {
            let n = 1 + random.nextInt(below: 400)
            // Few distinct values on half the trials, so ties are frequent.
            let scores = (0..<n).map { _ in trial % 2 == 0 ? Float(random.nextInt(below: 7)) / 7 : random.nextFloat() }
            let full = indicesByDescendingScore(scores)
            for k in [0, 1, n / 3, n - 1, n, n + 5] where k >= 0 {
                XCTAssertEqual(topKIndices(scores, k: k), Array(full.prefix(k)), "n \(n) k \(k)")
            }
        }
    }
}
