// detect-eval's engine against pycocotools / the LVIS API on the committed fixtures: every
// stat to 1e-12, every precision and recall entry exactly (synthetic cases covering the rules
// of docs/evaluation.md, the real cocoapi results and detections derived from LVIS v0.5 val).
import Foundation
import SharedData
import SharedEval
import SharedSupport
import XCTest

final class ReferenceFixtureTests: XCTestCase {
    func testCOCORulesBoxes() throws { try check("coco_rules_bbox") }
    func testCOCORulesMasks() throws { try check("coco_rules_segm") }
    func testCOCORulesMasksWithBoxesTakeBoxArea() throws { try check("coco_rules_segm_with_bbox") }
    func testLVISRulesBoxes() throws { try check("lvis_rules_bbox") }
    func testLVISRulesMasks() throws { try check("lvis_rules_segm") }
    func testCocoapiFakeBoxes() throws { try check("cocoapi_bbox") }
    func testCocoapiFakeMasks() throws { try check("cocoapi_segm") }
    func testLVISVal100Boxes() throws { try check("lvis_val_100_bbox") }
    func testLVISVal100Masks() throws { try check("lvis_val_100_segm") }

    /// The official numbers of the cocoapi repository (data README, pycocotools 2.0.11).
    func testCocoapiBoxStatsAreTheOfficialOnes() throws {
        let official = [0.5045806987249628, 0.6969727247299577, 0.5729816669904824, 0.5856257209410443,
                        0.5193996948036719, 0.5013978986347466, 0.38681277964578054, 0.5936795762842003,
                        0.595352982877607, 0.6398109626113442, 0.5664205978994309, 0.5642905982905982]
        let report = try evaluate(try Fixtures.expected("cocoapi_bbox"))
        XCTAssertEqual(report.stats.map(\.value), official)
    }

    func testThresholdsAreNumpyLinspace() throws {
        let expected = try Fixtures.expected("coco_rules_bbox")
        let parameters = EvaluationParameters(style: .coco)
        XCTAssertEqual(parameters.iouThresholds, expected.iouThresholds)
        XCTAssertEqual(parameters.recallThresholds, expected.recallThresholds)
        XCTAssertEqual(EvaluationParameters(style: .lvis).iouThresholds, expected.iouThresholds)
    }

    // MARK: -

    private func evaluate(_ expected: ExpectedCase) throws -> EvaluationReport {
        let gt = Fixtures.path(expected.groundTruth), dt = Fixtures.path(expected.results)
        for path in [gt, dt] where !FileManager.default.fileExists(atPath: path) {
            XCTFail("\(path) is missing (real data lives in Tests/Fixtures/eval, made by scripts/fixtures/make_real_data_fixtures.py)")
        }
        let run = DetectionEvaluation(groundTruthPath: gt, resultsPath: dt,
                                      style: expected.style == "lvis" ? .lvis : .coco,
                                      iouTypes: [expected.iouType == "segm" ? .segm : .bbox])
        return try XCTUnwrap(try run.run(parallelism: Parallelism(threads: 2)).first)
    }

    private func check(_ name: String) throws {
        let expected = try Fixtures.expected(name)
        let report = try evaluate(expected)
        XCTAssertEqual(report.stats.count, expected.stats.count, "\(name): number of stats")
        for stat in report.stats {
            let reference = try XCTUnwrap(expected.stats[stat.name], "\(name): reference has no \(stat.name)")
            XCTAssertEqual(stat.value, reference, accuracy: 1e-12, "\(name) \(stat.name)")
            XCTAssertEqual(stat.value.bitPattern, reference.bitPattern, "\(name) \(stat.name) not bit-exact")
        }
        XCTAssertEqual(TextSummary.lines(report), expected.summaryText, "\(name): printed summary")
        XCTAssertEqual(report.categories.count, expected.categoryAP.count)
        for k in 0..<min(report.categories.count, expected.categoryAP.count) {
            XCTAssertEqual(report.categoryAP(k).ap, expected.categoryAP[k], "\(name) category \(report.categories[k].id) AP")
        }
        if let precision = expected.precision, let recall = expected.recall {
            assertArraysMatch(report.result, precision: precision, recall: recall, name: name)
        }
    }
}
