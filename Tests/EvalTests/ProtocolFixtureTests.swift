// The evaluation protocols against the references on the cases of
// scripts/fixtures/make_eval_protocol_fixtures.py (eval_protocols.expected.json): --max-dets
// (pycocotools maxDets[-1], LVIS max_dets), Fixed AP (large-vocab-devil evaluate_ap_fixed.py),
// pooled AP (its LVISPooledEval), --img-ids / --cat-ids and --slice (the references'
// imgIds / catIds). Every stat to 1e-12, the printed lines exactly, and for the cases that
// store them every per-category AP and every precision and recall entry bit for bit.
import Foundation
import SharedEval
import SharedSupport
import XCTest

final class ProtocolFixtureTests: XCTestCase {
    static let file = "eval_protocols.expected.json"
    /// The largest |ours - reference| over every stat compared (checked against 1e-12).
    static let tolerance = 1e-12

    func testLVISMaxDets() throws {
        try check(["lvis_max_dets_100_bbox", "lvis_max_dets_none_bbox", "lvis_max_dets_20_segm"])
    }

    func testFixedAPCutWithTiesAndPooledAP() throws {
        try check(["lvis_fixed_5_bbox", "lvis_fixed_5_segm", "lvis_fixed_40_bbox", "lvis_pool_bbox"])
    }

    func testLVISImageAndCategorySubsets() throws {
        try check(["lvis_subset_bbox", "lvis_fixed_5_subset_segm", "lvis_slice_bbox", "lvis_slice_cats_bbox"])
    }

    func testRealLVISData() throws {
        try check(["lvis_val_100_fixed_segm", "lvis_val_100_fixed_3_bbox", "lvis_val_100_max_dets_5_bbox", "lvis_val_100_slice_segm"])
    }

    func testCOCOMaxDetsAndSubsets() throws {
        try check(["coco_max_dets_20_bbox", "coco_max_dets_none_bbox", "coco_max_dets_none_segm", "coco_subset_bbox",
                   "coco_subset_max_dets_50_segm", "cocoapi_max_dets_20_bbox"])
    }

    /// Every case of the fixture file is checked by one of the tests above.
    func testEveryCaseIsChecked() throws {
        let checked: Set<String> = [
            "lvis_max_dets_100_bbox", "lvis_max_dets_none_bbox", "lvis_max_dets_20_segm", "lvis_fixed_5_bbox",
            "lvis_fixed_5_segm", "lvis_fixed_40_bbox", "lvis_pool_bbox", "lvis_subset_bbox", "lvis_fixed_5_subset_segm",
            "lvis_slice_bbox", "lvis_slice_cats_bbox", "lvis_val_100_fixed_segm", "lvis_val_100_fixed_3_bbox",
            "lvis_val_100_max_dets_5_bbox", "lvis_val_100_slice_segm", "coco_max_dets_20_bbox", "coco_max_dets_none_bbox",
            "coco_max_dets_none_segm", "coco_subset_bbox", "coco_subset_max_dets_50_segm", "cocoapi_max_dets_20_bbox",
        ]
        XCTAssertEqual(Set(try Self.cases().keys), checked)
    }

    /// Slices are the subsets evaluated beside the main run: each slice's stats are the
    /// reference's for `img_ids` = the slice (pooled AP and --cat-ids included), and the main
    /// row is unchanged by them.
    func testSlicesAreTheReferenceOnTheirImages() throws {
        let cases = try Self.cases()
        let main = try XCTUnwrap(cases["lvis_subset_bbox"])
        let slice = try XCTUnwrap(cases["lvis_slice_cats_bbox"])
        var run = try evaluation(main)
        run.subsets.slices = [ImageSlice(name: "b", images: try IDList.read(path: Fixtures.path("protocol_lvis_slice.txt"), option: "--slice b"))]
        let report = try XCTUnwrap(try run.run(parallelism: Parallelism(threads: 2)).first)
        compareStats(report.stats, main, name: "main row with a slice")
        XCTAssertEqual(report.slices.count, 1)
        let row = try XCTUnwrap(report.slices.first)
        XCTAssertEqual(row.name, "b")
        XCTAssertEqual(row.imageCount, 3)
        compareStats(row.stats, slice, name: "slice b")
        XCTAssert(TextSummary.lines(report).hasSuffix("slice b: 3 images, \(row.detectionCount) detections;"
                                                      + row.stats.map { " \($0.name)=\(TextSummary.fixed($0.value, 3))" }.joined() + "\n"))

        // Real data: a 30-image slice of LVIS v0.5 val beside the plain evaluation.
        let real = try XCTUnwrap(cases["lvis_val_100_slice_segm"])
        let plain = try Fixtures.expected("lvis_val_100_segm")
        let path = Fixtures.path("protocol_lvis_val_100_slice.json")
        let both = DetectionEvaluation(groundTruthPath: Fixtures.path(plain.groundTruth), resultsPath: Fixtures.path(plain.results),
                                       style: .lvis, iouTypes: [.segm],
                                       subsets: EvaluationSubsets(slices: [ImageSlice(name: "first30", images: try IDList.read(path: path, option: "--slice first30"))]))
        let realReport = try XCTUnwrap(try both.run(parallelism: Parallelism(threads: 2)).first)
        for stat in realReport.stats { XCTAssertEqual(stat.value, plain.stats[stat.name] ?? .nan, accuracy: Self.tolerance, stat.name) }
        compareStats(try XCTUnwrap(realReport.slices.first).stats, real, name: "first30")
    }

    // MARK: -

    struct ProtocolCase {
        let expected: ExpectedCase
        let options: [String: Any]
        let pooledStats: [String: Double]
        let pooledPrecision: ExactArray?
        let pooledRecall: ExactArray?
        let categoriesUnderK: Int?

        init(_ object: [String: Any]) throws {
            expected = try ExpectedCase(object)
            options = object["options"] as? [String: Any] ?? [:]
            pooledStats = try (object["pooled_stats"] as? [String: Any] ?? [:]).mapValues(number)
            pooledPrecision = try (object["pooled_precision"] as? [String: Any]).map(ExactArray.init)
            pooledRecall = try (object["pooled_recall"] as? [String: Any]).map(ExactArray.init)
            categoriesUnderK = object["categories_under_k"] as? Int
        }
    }

    static func cases() throws -> [String: ProtocolCase] {
        let list = try XCTUnwrap(try Fixtures.object(file)["cases"] as? [[String: Any]])
        var cases: [String: ProtocolCase] = [:]
        for object in list {
            let c = try ProtocolCase(object)
            cases[c.expected.name] = c
        }
        return cases
    }

    /// The library call `detect-eval evaluate` makes for the case's options.
    private func evaluation(_ c: ProtocolCase) throws -> DetectionEvaluation {
        let e = c.expected, o = c.options
        let evaluationProtocol = EvaluationProtocol(maxDetections: o["max_dets"] as? Int, detectionsPerCategory: o["fixed_ap"] as? Int,
                                                    pooled: o["ap_pool"] as? Bool ?? false)
        let subsets = EvaluationSubsets(
            images: try (o["img_ids"] as? String).map { try IDList.read(path: Fixtures.path($0), option: "--img-ids") },
            categories: try (o["cat_ids"] as? String).map { try IDList.read(path: Fixtures.path($0), option: "--cat-ids") })
        return DetectionEvaluation(groundTruthPath: Fixtures.path(e.groundTruth), resultsPath: Fixtures.path(e.results),
                                   style: e.style == "lvis" ? .lvis : .coco, iouTypes: [e.iouType == "segm" ? .segm : .bbox],
                                   evaluationProtocol: evaluationProtocol, subsets: subsets)
    }

    private func check(_ names: [String]) throws {
        let cases = try Self.cases()
        var largest = 0.0
        for name in names {
            let c = try XCTUnwrap(cases[name], "\(name) is not in \(Self.file)")
            let report = try XCTUnwrap(try evaluation(c).run(parallelism: Parallelism(threads: 2)).first)
            largest = max(largest, compareStats(report.stats, c, name: name))
            let plain = report.stats.filter { !$0.pooled }
            XCTAssertEqual(TextSummary.statLines(plain, style: report.style, parameters: report.result.parameters),
                           c.expected.summaryText, "\(name): printed summary")
            if !c.expected.categoryAP.isEmpty {
                XCTAssertEqual(report.categories.count, c.expected.categoryAP.count, "\(name): categories")
                for k in 0..<min(report.categories.count, c.expected.categoryAP.count) {
                    XCTAssertEqual(report.categoryAP(k).ap, c.expected.categoryAP[k], "\(name) category \(report.categories[k].id) AP")
                }
            }
            if let precision = c.expected.precision, let recall = c.expected.recall {
                assertArraysMatch(report.result, precision: precision, recall: recall, name: name)
            }
            if let precision = c.pooledPrecision, let recall = c.pooledRecall {
                let pooled = try XCTUnwrap(report.pooledResult, "\(name): no pooled result")
                assertArraysMatch(pooled, precision: precision, recall: recall, name: "\(name) pooled")
            }
            if let under = c.categoriesUnderK {
                XCTAssertEqual(report.categoriesUnderCategoryCap, under, "\(name): categories with fewer than K results")
            }
        }
        XCTAssertLessThanOrEqual(largest, Self.tolerance)
        print("ProtocolFixtureTests: \(names.count) cases, largest |ours - reference| over the stats: \(largest)")
    }

    /// Compares every stat (plain and pooled) with the reference's; returns the largest
    /// absolute difference.
    @discardableResult
    private func compareStats(_ stats: [SummaryStat], _ c: ProtocolCase, name: String) -> Double {
        let plain = stats.filter { !$0.pooled }, pooled = stats.filter(\.pooled)
        XCTAssertEqual(Set(plain.map(\.name)), Set(c.expected.stats.keys), "\(name): stat names")
        XCTAssertEqual(Set(pooled.map(\.name)), Set(c.pooledStats.keys), "\(name): pooled stat names")
        var largest = 0.0
        for stat in stats {
            guard let reference = (stat.pooled ? c.pooledStats : c.expected.stats)[stat.name] else { continue }
            let difference = abs(stat.value - reference)
            largest = max(largest, difference.isNaN ? .infinity : difference)
            XCTAssertEqual(stat.value, reference, accuracy: Self.tolerance, "\(name) \(stat.name)")
        }
        return largest
    }
}
