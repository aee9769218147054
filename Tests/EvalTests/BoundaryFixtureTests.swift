// Boundary IoU evaluation (--iou-type boundary) against boundary-iou-api's own COCOeval and
// LVISEval (iouType "boundary") on the cases of scripts/fixtures/make_boundary_fixtures.py
// (boundary_eval.expected.json): the rule inputs of make_eval_fixtures.py (COCO crowd and an
// `ignore` flag; LVIS negatives, not-exhaustive labels, the 300 cap, areas of 1024 and 9216),
// LVIS with crowd, generated border / full-image / empty masks, dilation ratios 0.005-0.2,
// --max-dets, Fixed AP and pooled AP (large-vocab-devil's, composed on the boundary
// LVISEval), and real data (cocoapi val2014 fake segm results, detectron2 masks,
// LVIS v0.5 val). Every stat to 1e-12, the printed lines exactly, every per-category AP, and
// for the generated cases every precision and recall entry bit for bit.
import Foundation
import SharedEval
import SharedSupport
import XCTest

final class BoundaryFixtureTests: XCTestCase {
    static let file = "boundary_eval.expected.json"
    static let tolerance = 1e-12

    func testCOCORules() throws {
        try check(["boundary_coco_rules", "boundary_coco_rules_with_bbox", "boundary_coco_rules_ratio_0.005",
                   "boundary_coco_rules_ratio_0.1"])
    }

    func testLVISRules() throws {
        try check(["boundary_lvis_rules", "boundary_lvis_rules_max_dets_20", "boundary_lvis_rules_ratio_0.05",
                   "boundary_lvis_crowd", "boundary_lvis_rules_fixed_5", "boundary_lvis_rules_pool"])
    }

    func testGeneratedEdges() throws {
        try check(["boundary_edges_coco", "boundary_edges_coco_ratio_0.2", "boundary_edges_lvis"])
    }

    func testRealData() throws {
        try check(["boundary_cocoapi", "boundary_cocoapi_ratio_0.01", "boundary_detectron2_mini", "boundary_lvis_val_100"])
    }

    func testEveryCaseIsChecked() throws {
        let checked: Set<String> = [
            "boundary_coco_rules", "boundary_coco_rules_with_bbox", "boundary_coco_rules_ratio_0.005", "boundary_coco_rules_ratio_0.1",
            "boundary_lvis_rules", "boundary_lvis_rules_max_dets_20", "boundary_lvis_rules_ratio_0.05", "boundary_lvis_crowd",
            "boundary_lvis_rules_fixed_5", "boundary_lvis_rules_pool", "boundary_edges_coco", "boundary_edges_coco_ratio_0.2", "boundary_edges_lvis",
            "boundary_cocoapi", "boundary_cocoapi_ratio_0.01", "boundary_detectron2_mini", "boundary_lvis_val_100",
        ]
        XCTAssertEqual(Set(try Self.cases().map(\.expected.name)), checked)
    }

    /// Boundary beside segm and bbox in one run: each type's numbers are those of its own run,
    /// and segm keeps the references' rules (boundary's own rules do not leak into it).
    func testBoundaryBesideOtherTypes() throws {
        let cases = try Dictionary(uniqueKeysWithValues: Self.cases().map { ($0.expected.name, $0) })
        for (name, segm) in [("boundary_lvis_rules", "lvis_rules_segm"), ("boundary_coco_rules", "coco_rules_segm")] {
            let c = try XCTUnwrap(cases[name])
            var run = evaluation(c)
            run.iouTypes = [.bbox, .segm, .boundary]
            let reports = try run.run(parallelism: Parallelism(threads: 2))
            XCTAssertEqual(reports.map(\.iouType), [.bbox, .segm, .boundary])
            compareStats(reports[2].stats, c.expected.stats, name: "\(name) beside bbox and segm")
            XCTAssertEqual(reports[2].dilationRatio, c.dilationRatio)
            XCTAssertNil(reports[1].dilationRatio)
            let plain = try Fixtures.expected(segm)
            compareStats(reports[1].stats, plain.stats, name: "\(segm) beside boundary")
        }
    }

    /// A slice re-evaluates cells whose boundaries the main run made (kept in the cache): its
    /// stats are the reference's for that image subset, here the whole set again.
    func testSliceUsesTheSameBoundaries() throws {
        let c = try XCTUnwrap(try Self.cases().first { $0.expected.name == "boundary_edges_lvis" })
        let ids = Fixtures.directory.appendingPathComponent("boundary_edges_lvis_gt.json")
        let images = try Fixtures.object(ids.lastPathComponent)["images"] as? [[String: Any]] ?? []
        let list = FileManager.default.temporaryDirectory.appendingPathComponent("boundary-slice-\(getpid()).txt")
        try images.compactMap { $0["id"] as? Int }.map(String.init).joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: list) }
        var run = evaluation(c)
        run.subsets = EvaluationSubsets(slices: [ImageSlice(name: "all", images: try IDList.read(path: list.path, option: "--slice all"))])
        let report = try XCTUnwrap(try run.run(parallelism: Parallelism(threads: 2)).first)
        compareStats(report.stats, c.expected.stats, name: "main row")
        compareStats(try XCTUnwrap(report.slices.first).stats, c.expected.stats, name: "slice of every image")
    }

    /// The JSON document names the type and the ratio.
    func testJSONDocument() throws {
        let c = try XCTUnwrap(try Self.cases().first { $0.expected.name == "boundary_coco_rules_ratio_0.1" })
        let reports = try evaluation(c).run(parallelism: Parallelism(threads: 2))
        let document = JSONReport.document(reports)
        XCTAssert(document.contains("\"boundary\": {\n    \"style\": \"coco\""), document.prefix(200).description)
        XCTAssert(document.contains("\"dilation_ratio\": 0.1}"))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("boundary-\(getpid()).json")
        try document.write(to: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: path) }
        let model = try EvaluationJSONReader.read(name: "m", path: path.path)
        XCTAssertEqual(model.iouTypes, [.boundary])
        XCTAssertEqual(model.value(.boundary, "AP"), c.expected.stats["AP"])
    }

    // MARK: -

    struct BoundaryCase {
        let expected: ExpectedCase
        let dilationRatio: Double
        let options: [String: Any]
        /// AP-pooled-* of the cases with `ap_pool`.
        let pooledStats: [String: Double]
    }

    static func cases() throws -> [BoundaryCase] {
        let list = try XCTUnwrap(try Fixtures.object(file)["cases"] as? [[String: Any]])
        return try list.map {
            BoundaryCase(expected: try ExpectedCase($0), dilationRatio: try number($0["dilation_ratio"]),
                         options: $0["options"] as? [String: Any] ?? [:],
                         pooledStats: try ($0["pooled_stats"] as? [String: Any] ?? [:]).mapValues(number))
        }
    }

    private func evaluation(_ c: BoundaryCase) -> DetectionEvaluation {
        let e = c.expected
        let evaluationProtocol = EvaluationProtocol(maxDetections: c.options["max_dets"] as? Int,
                                                    detectionsPerCategory: c.options["fixed_ap"] as? Int,
                                                    pooled: c.options["ap_pool"] as? Bool ?? false)
        return DetectionEvaluation(groundTruthPath: Fixtures.path(e.groundTruth), resultsPath: Fixtures.path(e.results),
                                   style: e.style == "lvis" ? .lvis : .coco, iouTypes: [.boundary],
                                   evaluationProtocol: evaluationProtocol, dilationRatio: c.dilationRatio)
    }

    private func check(_ names: [String]) throws {
        let cases = try Dictionary(uniqueKeysWithValues: Self.cases().map { ($0.expected.name, $0) })
        var largest = 0.0
        for name in names {
            let c = try XCTUnwrap(cases[name], "\(name) is not in \(Self.file)")
            XCTAssertEqual(c.expected.iouType, "boundary")
            let report = try XCTUnwrap(try evaluation(c).run(parallelism: Parallelism(threads: 2)).first)
            XCTAssertEqual(report.iouType, .boundary)
            XCTAssertEqual(report.result.parameters.iouThresholds, c.expected.iouThresholds, "\(name): IoU thresholds")
            XCTAssertEqual(report.result.parameters.recallThresholds, c.expected.recallThresholds, "\(name): recall thresholds")
            let plain = report.stats.filter { !$0.pooled }, pooled = report.stats.filter(\.pooled)
            largest = max(largest, compareStats(plain, c.expected.stats, name: name))
            largest = max(largest, compareStats(pooled, c.pooledStats, name: "\(name) pooled"))
            XCTAssertEqual(TextSummary.statLines(plain, style: report.style, parameters: report.result.parameters),
                           c.expected.summaryText, "\(name): printed summary")
            XCTAssertEqual(report.categories.count, c.expected.categoryAP.count, "\(name): categories")
            for k in 0..<min(report.categories.count, c.expected.categoryAP.count) {
                XCTAssertEqual(report.categoryAP(k).ap, c.expected.categoryAP[k], "\(name) category \(report.categories[k].id) AP")
            }
            if let precision = c.expected.precision, let recall = c.expected.recall {
                assertArraysMatch(report.result, precision: precision, recall: recall, name: name)
            }
        }
        XCTAssertLessThanOrEqual(largest, Self.tolerance)
        print("BoundaryFixtureTests: \(names.count) cases, largest |ours - reference| over the stats: \(largest)")
    }

    @discardableResult
    private func compareStats(_ stats: [SummaryStat], _ expected: [String: Double], name: String) -> Double {
        XCTAssertEqual(Set(stats.map(\.name)), Set(expected.keys), "\(name): stat names")
        var largest = 0.0
        for stat in stats {
            guard let reference = expected[stat.name] else { continue }
            let difference = abs(stat.value - reference)
            largest = max(largest, difference.isNaN ? .infinity : difference)
            XCTAssertEqual(stat.value, reference, accuracy: Self.tolerance, "\(name) \(stat.name)")
        }
        return largest
    }
}
