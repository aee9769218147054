// detect-eval on input the audit found mishandled: masks whose run lengths do not add up
// to height * width (a hang or a silent pass, now exit 1 naming the record), detections
// and annotations with ids the ground truth lacks (now warned about and listed under
// "dropped"), and `-` given to an option whose output cannot go to stdout (exit 64).
import Foundation
import XCTest

final class DetectEvalInputCheckTests: XCTestCase {
    /// 100 COCO val2014 images; image 74 is 426 x 640 and has a category 18 annotation.
    static let cocoapiGT = DetectEvalTests.fixtures.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/eval/cocoapi/instances_val2014_100.json").path

    private func segmResult(_ counts: String) -> String {
        #"[{"image_id": 74, "category_id": 18, "score": 0.9, "segmentation": {"size": [426, 640], "counts": \#(counts)}}]"#
    }

    /// Runs detect-eval on `results` (stdin) and fails instead of waiting forever.
    private func run(_ arguments: [String], results: String) throws -> ToolRun {
        let finished = expectation(description: arguments.joined(separator: " "))
        let box = RunBox()
        DispatchQueue.global().async {
            box.run = try? ToolRunner.run("detect-eval", arguments, stdin: Data(results.utf8))
            finished.fulfill()
        }
        wait(for: [finished], timeout: 120)
        return try XCTUnwrap(box.run, "detect-eval did not finish: \(arguments)")
    }

    func testSegmResultWhoseRunsDoNotCoverTheImageExitsOne() throws {
        // The two hangs of the audit, then masks that were silently accepted.
        for counts in ["[1000, 272640]", #""zz~~~~~!!""#, #""zz""#, "[1000, 2000]"] {
            let result = try run(["--gt", Self.cocoapiGT, "-", "--iou-type", "segm"], results: segmResult(counts))
            XCTAssertEqual(result.status, 1, "\(counts): \(result.stderr)")
            XCTAssert(result.stderr.hasPrefix("detect-eval: error: -: results[0]: mask run lengths add up to "), "\(counts): \(result.stderr)")
            XCTAssert(result.stderr.contains("must add up to height*width = 426*640 = 272640"), "\(counts): \(result.stderr)")
        }
        let valid = try run(["--gt", Self.cocoapiGT, "-", "--iou-type", "segm"], results: segmResult("[1000, 271640]"))
        XCTAssertEqual(valid.status, 0, valid.stderr)
    }

    func testUnknownCategoriesAreWarnedAboutAndListedInJSON() throws {
        let results = #"[{"image_id": 5, "category_id": 2, "bbox": [1, 2, 3, 4], "score": 0.5}, {"image_id": 5, "category_id": 404, "bbox": [1, 2, 3, 4], "score": 0.5}, {"image_id": 5, "category_id": 404, "bbox": [1, 2, 3, 4], "score": 0.4}]"#
        let result = try run(["--gt", DetectEvalTests.cocoGT, "-", "--json"], results: results)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssert(result.stderr.contains("detect-eval: warning: -: 2 detections dropped: category_id not among the ground truth's categories"), result.stderr)
        XCTAssert(result.stderr.contains("category_id 404 (2 detections); first: results[1], results[2]"), result.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let bbox = try XCTUnwrap(object["bbox"] as? [String: Any])
        XCTAssertEqual((bbox["detections"] as? NSNumber)?.intValue, 1)
        let dropped = try XCTUnwrap(bbox["dropped"] as? [String: Any])
        XCTAssertEqual((dropped["unknown_category"] as? NSNumber)?.intValue, 2)
        XCTAssertEqual((dropped["unknown_category_ids"] as? [NSNumber])?.map(\.intValue), [404])

        let quiet = try run(["--gt", DetectEvalTests.cocoGT, "-", "--quiet"], results: results)
        XCTAssert(quiet.stderr.contains("warning: -: 2 detections dropped"), "warnings show with --quiet too: \(quiet.stderr)")
    }

    func testEveryDetectionDroppedSaysWhy() throws {
        let results = #"[{"image_id": 5, "category_id": 404, "bbox": [1, 2, 3, 4], "score": 0.5}]"#
        let result = try run(["--gt", DetectEvalTests.cocoGT, "-"], results: results)
        XCTAssertEqual(result.status, 1)
        XCTAssert(result.stderr.contains("error: -: no detections to evaluate: the only result was dropped: 1 with a category_id not in the ground truth (category_id 404 (1 detection))"), result.stderr)
        XCTAssert(result.stderr.contains("hint: category_id must be one of the ids in the ground truth's `categories`"), result.stderr)
    }

    func testAnnotationsOfUnknownImagesOrCategoriesAreWarnedAbout() throws {
        let files = FileManager.default.temporaryDirectory.appendingPathComponent("detect-eval-gt-\(getpid())")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: files) }
        let gt = files.appendingPathComponent("gt.json").path
        try Data(#"{"images": [{"id": 1, "width": 10, "height": 10}], "categories": [{"id": 1, "name": "a"}], "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 4, 4], "area": 16, "iscrowd": 0}, {"id": 2, "image_id": 9, "category_id": 1, "bbox": [0, 0, 4, 4], "area": 16, "iscrowd": 0}, {"id": 3, "image_id": 1, "category_id": 5, "bbox": [0, 0, 4, 4], "area": 16, "iscrowd": 0}]}"#.utf8)
            .write(to: URL(fileURLWithPath: gt))
        let result = try run(["--gt", gt, "-", "--json"], results: #"[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 4, 4], "score": 0.5}]"#)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssert(result.stderr.contains("warning: \(gt): 2 annotations ignored"), result.stderr)
        XCTAssert(result.stderr.contains("1 with an image_id not in `images` (image_id 9 (1 annotation); first: annotations[1])"), result.stderr)
        XCTAssert(result.stderr.contains("1 with a category_id not in `categories` (category_id 5 (1 annotation); first: annotations[2])"), result.stderr)
        let bbox = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])?["bbox"] as? [String: Any])
        XCTAssertEqual((bbox["AP"] as? NSNumber)?.doubleValue ?? 0, 1.0, accuracy: 1e-12)  // the ignored ones change nothing
    }

    func testDashForASideOutputIsAUsageError() throws {
        let boxes = try String(contentsOfFile: DetectEvalTests.cocoBoxes, encoding: .utf8)
        for (arguments, option) in [(["--gt", DetectEvalTests.cocoGT, "-", "--per-category", "-"], "--per-category"),
                                    (["--gt", DetectEvalTests.cocoGT, "-", "--json", "--per-category", "-"], "--per-category"),
                                    (["--gt", DetectEvalTests.cocoGT, "-", "--plot", "-"], "--plot"),
                                    (["compare", "--result", "m=x.json", "--chart", "-"], "--chart"),
                                    (["report", "--gt", DetectEvalTests.cocoGT, "--model", "m=x.json", "--out", "-"], "--out")] {
            let result = try run(arguments, results: boxes)
            XCTAssertEqual(result.status, 64, "\(arguments): \(result.stderr)")
            XCTAssert(result.stderr.hasPrefix("detect-eval: error: \(option) -: stdout already carries"), "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stdout, "", "\(arguments)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: "-"), "a file named `-` was written")
        }
    }
}

/// The run handed from the worker thread (the expectation orders the accesses).
private final class RunBox: @unchecked Sendable {
    var run: ToolRun?
}
