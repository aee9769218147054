// detect-eval run as a user runs it: results from a file or stdin, the text and JSON
// summaries, the CSV and PNG side outputs, and bad input (exit 1, file and record named)
// versus bad command lines (exit 64).
import Foundation
import XCTest

final class DetectEvalTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("EvalTests/Fixtures")
    static let cocoGT = fixtures.appendingPathComponent("coco_rules_gt.json").path
    static let cocoBoxes = fixtures.appendingPathComponent("coco_rules_bbox.json").path
    static let lvisGT = fixtures.appendingPathComponent("lvis_rules_gt.json").path
    static let lvisMasks = fixtures.appendingPathComponent("lvis_rules_segm.json").path

    private func expectedStats(_ name: String) throws -> [String: Double] {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("\(name).expected.json"))
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(object["stats"] as? [String: Any]).mapValues { try XCTUnwrap(($0 as? NSNumber)?.doubleValue) }
    }

    private func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("detect-eval-\(getpid())-\(name)").path
    }

    func testTextSummaryFromStdinMatchesPycocotools() throws {
        let results = try Data(contentsOf: URL(fileURLWithPath: Self.cocoBoxes))
        let run = try ToolRunner.run("detect-eval", ["--gt", Self.cocoGT, "-"], stdin: results)
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 12)
        let ap = try XCTUnwrap(try expectedStats("coco_rules_bbox")["AP"])
        XCTAssertEqual(String(lines[0]), " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = "
                       + String(format: "%.3f", ap))
        XCTAssert(lines[6].hasPrefix(" Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ]"), String(lines[6]))
    }

    func testJSONHasEveryStatAtFullPrecisionAndPerCategoryRows() throws {
        let run = try ToolRunner.run("detect-eval", ["--gt", Self.lvisGT, "--dt", Self.lvisMasks, "--iou-type", "segm", "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let segm = try XCTUnwrap(object["segm"] as? [String: Any])
        for (name, value) in try expectedStats("lvis_rules_segm") {
            // Exactness is EvalTests' job (corelibs JSONSerialization may misround an ulp).
            XCTAssertEqual(try XCTUnwrap((segm[name] as? NSNumber)?.doubleValue, name), value, accuracy: 1e-12, name)
        }
        let rows = try XCTUnwrap(segm["per_category"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 7)
        XCTAssertEqual(Set(rows[0].keys), ["id", "name", "frequency", "num_gt", "AP", "AP50"])
        XCTAssertNil(object["bbox"])
    }

    func testBothIoUTypesWritesCSVAndPNG() throws {
        let csv = temporaryPath("table.csv"), png = temporaryPath("plot.png")
        defer { try? FileManager.default.removeItem(atPath: csv); try? FileManager.default.removeItem(atPath: png) }
        let run = try ToolRunner.run("detect-eval", ["--gt", Self.lvisGT, "--dt", Self.lvisMasks, "--iou-type", "both",
                                                     "--per-category", csv, "--plot", png])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssert(run.stdout.contains("type=bbox") && run.stdout.contains("type=segm"), run.stdout)
        XCTAssert(run.stdout.contains("catIds=  r]"), run.stdout)
        let table = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(table.first, "iou_type,category_id,name,frequency,num_gt,num_detections,AP,AP50")
        XCTAssertEqual(table.count, 1 + 2 * 7)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: png)).prefix(8))
        XCTAssertEqual(bytes, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    // MARK: Bad data: exit 1, the file and the first offending record named.

    private func runWithResults(_ json: String, extra: [String] = []) throws -> ToolRun {
        try ToolRunner.run("detect-eval", ["--gt", Self.cocoGT, "-"] + extra, stdin: Data(json.utf8))
    }

    func testUnknownImageIDIsExplained() throws {
        let run = try runWithResults(#"[{"image_id": 5, "category_id": 2, "bbox": [1, 2, 3, 4], "score": 0.5}, {"image_id": 999, "category_id": 2, "bbox": [1, 2, 3, 4], "score": 0.5}]"#)
        XCTAssertEqual(run.status, 1)
        XCTAssert(run.stderr.contains("results[1]") && run.stderr.contains("999") && run.stderr.contains("not an image of the ground truth"), run.stderr)
    }

    func testNonFiniteScoreNegativeBoxAndStringIDAreDataErrors() throws {
        let cases = [
            #"[{"image_id": 5, "category_id": 2, "bbox": [1, 2, 3, 4], "score": NaN}]"#,
            #"[{"image_id": 5, "category_id": 2, "bbox": [1, 2, 3, 4], "score": Infinity}]"#,
            #"[{"image_id": 5, "category_id": 2, "bbox": [1, 2, -3, 4], "score": 0.5}]"#,
            #"[{"image_id": "5", "category_id": 2, "bbox": [1, 2, 3, 4], "score": 0.5}]"#,
            #"[{"image_id": 5, "category_id": 2, "bbox": [1, 2, 3, 4], "score": 0.5"#,
        ]
        for json in cases {
            let run = try runWithResults(json)
            XCTAssertEqual(run.status, 1, "\(json): \(run.stderr)")
            XCTAssert(run.stderr.hasPrefix("detect-eval: error: -: "), "\(json): \(run.stderr)")
            XCTAssertFalse(run.stderr.contains("Fatal error"), run.stderr)
        }
    }

    func testMaskOfTheWrongSizeIsADataError() throws {
        let run = try runWithResults(#"[{"image_id": 5, "category_id": 2, "segmentation": {"size": [10, 10], "counts": "0:"}, "score": 0.5}]"#,
                                     extra: ["--iou-type", "segm"])
        XCTAssertEqual(run.status, 1)
        XCTAssert(run.stderr.contains("results[0]") && run.stderr.contains("differs from image 5"), run.stderr)
    }

    func testEmptyResultsPrintTheSummaryAndSaySo() throws {
        let run = try runWithResults("[]")
        XCTAssertEqual(run.status, 1)
        XCTAssertEqual(run.stdout.split(separator: "\n").count, 12)
        XCTAssert(run.stderr.contains("no detections"), run.stderr)
    }

    // MARK: Bad command lines: exit 64.

    func testUsageErrors() throws {
        for arguments in [[String](), ["--gt", Self.cocoGT], ["--gt", Self.cocoGT, "--dt", Self.cocoBoxes, Self.cocoBoxes],
                          ["--gt", Self.cocoGT, "--dt", Self.cocoBoxes, "--iou-type", "keypoints"],
                          ["--gt", Self.cocoGT, "--dt", Self.cocoBoxes, "--style", "voc"]] {
            let run = try ToolRunner.run("detect-eval", arguments)
            XCTAssertEqual(run.status, 64, "\(arguments): \(run.stderr)")
            XCTAssert(run.stderr.hasPrefix("detect-eval: error:"), run.stderr)
        }
    }

    func testMissingGroundTruthFileIsReported() throws {
        let run = try ToolRunner.run("detect-eval", ["--gt", "/nonexistent/gt.json", "--dt", Self.cocoBoxes])
        XCTAssertNotEqual(run.status, 0)
        XCTAssert(run.stderr.contains("/nonexistent/gt.json"), run.stderr)
    }
}
