// Records dropped because the ground truth does not know their ids: detections of unknown
// categories and annotations of unknown images or categories are counted with their ids
// and first rows, warned about, listed under "dropped" in the --json report, and explain
// the error when no detection is left.
import Foundation
import SharedData
import SharedEval
import SharedSupport
import XCTest

final class DroppedRecordTests: XCTestCase {
    /// Annotations: row 0 fine, rows 1 and 3 on unknown images 99 and 98, row 2 of unknown
    /// category 42. Results: row 0 fine, rows 1 and 2 of category 77, row 3 of category 0.
    private func evaluate(results: [String], name: String) throws -> (report: EvaluationReport, gt: String, dt: String) {
        let files = try EvalInputFiles(name)
        defer { files.remove() }
        let annotations = [EvalInputFiles.annotation(id: 1), EvalInputFiles.annotation(id: 2, imageID: 99),
                           EvalInputFiles.annotation(id: 3, categoryID: 42), EvalInputFiles.annotation(id: 4, imageID: 98)]
        let gt = try files.write("gt.json", EvalInputFiles.groundTruth(annotations))
        let dt = try files.write("dt.json", "[" + results.joined(separator: ", ") + "]")
        let reports = try DetectionEvaluation(groundTruthPath: gt, resultsPath: dt, style: .coco, iouTypes: [.bbox]).run(parallelism: .serial)
        return (try XCTUnwrap(reports.first), gt, dt)
    }

    private let mixedResults = [EvalInputFiles.result(), EvalInputFiles.result(categoryID: 77), EvalInputFiles.result(categoryID: 77),
                                EvalInputFiles.result(categoryID: 0)]

    func testUnknownIDsAreCountedWithIDsAndFirstRows() throws {
        let report = try evaluate(results: mixedResults, name: "mixed").report
        XCTAssertEqual(report.detectionCount, 1)
        let f = report.filtered
        XCTAssertEqual(f.unknownCategory, 3)
        XCTAssertEqual(f.unknownCategoryDetections.countByID, [77: 2, 0: 1])
        XCTAssertEqual(f.unknownCategoryDetections.firstRows, [1, 2, 3])
        XCTAssertEqual(f.groundTruthUnknownImage.countByID, [99: 1, 98: 1])
        XCTAssertEqual(f.groundTruthUnknownImage.firstRows, [1, 3])
        XCTAssertEqual(f.groundTruthUnknownCategory.countByID, [42: 1])
        XCTAssertEqual(f.groundTruthUnknownCategory.firstRows, [2])
        XCTAssertEqual(f.droppedDetections, 3)
        XCTAssertEqual(report.result.groundTruthCounts, [1, 0])  // the ignored annotations are not evaluated
    }

    func testWarningsNameCountsIDsAndRows() throws {
        let (report, gt, dt) = try evaluate(results: mixedResults, name: "warnings")
        let detections = try XCTUnwrap(report.filtered.unknownCategoryWarning(resultsPath: dt))
        XCTAssert(detections.hasPrefix("\(dt): 3 detections dropped: category_id not among the ground truth's categories"), detections)
        XCTAssert(detections.contains("category_id 77 (2 detections), 0 (1 detection)"), detections)
        XCTAssert(detections.contains("first: results[1], results[2], results[3]"), detections)
        let annotations = try XCTUnwrap(report.filtered.ignoredGroundTruthWarning(groundTruthPath: gt))
        XCTAssert(annotations.hasPrefix("\(gt): 3 annotations ignored"), annotations)
        XCTAssert(annotations.contains("2 with an image_id not in `images` (image_id 98 (1 annotation), 99 (1 annotation); first: annotations[1], annotations[3])"), annotations)
        XCTAssert(annotations.contains("1 with a category_id not in `categories` (category_id 42 (1 annotation); first: annotations[2])"), annotations)
        XCTAssertNil(FilterCounts().unknownCategoryWarning(resultsPath: dt))
        XCTAssertNil(FilterCounts().ignoredGroundTruthWarning(groundTruthPath: gt))
    }

    func testJSONReportListsWhatWasDroppedAndKeepsItsFields() throws {
        let report = try evaluate(results: mixedResults, name: "json").report
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(JSONReport.document([report]).utf8)) as? [String: Any])
        let bbox = try XCTUnwrap(object["bbox"] as? [String: Any])
        XCTAssertEqual(bbox["style"] as? String, "coco")
        XCTAssertEqual((bbox["detections"] as? NSNumber)?.intValue, 1)
        XCTAssertNotNil(bbox["AP"] as? NSNumber)
        XCTAssertEqual((bbox["per_category"] as? [Any])?.count, 2)
        let dropped = try XCTUnwrap(bbox["dropped"] as? [String: Any])
        let counts = dropped.compactMapValues { ($0 as? NSNumber)?.intValue }
        XCTAssertEqual(counts, ["unknown_category": 3, "over_image_cap": 0, "over_category_cap": 0, "zero_area": 0, "federated": 0,
                                "gt_zero_area": 0, "gt_unknown_image": 2, "gt_unknown_category": 1])
        XCTAssertEqual((dropped["unknown_category_ids"] as? [NSNumber])?.map(\.intValue), [0, 77])
        // `detect-eval compare` still reads the document (the new object is skipped).
        let reader = try EvaluationJSONReaderProbe.read(JSONReport.document([report]))
        XCTAssertEqual(reader, report.stat("AP"))
    }

    func testNoDetectionsErrorSaysWhyEveryResultWasDropped() throws {
        let (report, _, dt) = try evaluate(results: [EvalInputFiles.result(categoryID: 77), EvalInputFiles.result(categoryID: 0)],
                                           name: "all-dropped")
        XCTAssertEqual(report.detectionCount, 0)
        let error = report.filtered.noDetectionsError(resultsPath: dt, emptyHint: "unused")
        XCTAssertEqual(error.file, dt)
        XCTAssertEqual(error.exitCode, .dataError)
        XCTAssertEqual(error.message, "no detections to evaluate: all 2 results were dropped: 2 with a category_id not in the ground truth (category_id 0 (1 detection), 77 (1 detection))")
        XCTAssert(error.hint?.contains("category_id must be one of the ids") == true, "\(error)")

        let empty = try evaluate(results: [], name: "empty").report.filtered.noDetectionsError(resultsPath: dt, emptyHint: "predict again")
        XCTAssertEqual(empty.message, "no detections to evaluate: the results list is empty")
        XCTAssertEqual(empty.hint, "predict again")
    }

    func testRowSummaryKeepsTheFirstFiveRows() {
        var dropped = DroppedRecords()
        for row in 0..<8 { dropped.add(row: row * 2, id: row % 3) }
        XCTAssertEqual(dropped.count, 8)
        XCTAssertEqual(dropped.firstRows, [0, 2, 4, 6, 8])
        XCTAssertEqual(dropped.rowSummary(collection: "results"), "results[0], results[2], results[4], results[6], results[8], ...")
        XCTAssertEqual(dropped.idSummary(noun: "detection", limit: 2), "0 (3 detections), 1 (3 detections) and 1 more id")
    }
}

/// Reads a `--json` document back as `detect-eval compare` does; returns its bbox AP.
private enum EvaluationJSONReaderProbe {
    static func read(_ document: String) throws -> Double? {
        let files = try EvalInputFiles("probe")
        defer { files.remove() }
        let path = try files.write("eval.json", document)
        return try EvaluationJSONReader.read(name: "m", path: path).stats[.bbox]?["AP"]
    }
}
