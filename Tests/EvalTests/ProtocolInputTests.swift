// The protocol options' bad input and documents: id files (both formats, malformed, empty,
// unreadable, ids the ground truth lacks), what COCO style refuses, Fixed AP mask AP without
// masks, and the --json document (the "protocol" and "slices" keys, pooled stats) read back by
// `compare`, with older documents still read.
import Foundation
import SharedEval
import SharedSupport
import XCTest

final class ProtocolInputTests: XCTestCase {
    private var files: EvalInputFiles!

    override func setUpWithError() throws { files = try EvalInputFiles("protocol-\(name.filter(\.isLetter))") }
    override func tearDown() { files.remove() }

    private func ids(_ text: String) throws -> [Int] {
        try IDList.read(path: try files.write("ids", text), option: "--img-ids").ids
    }

    private func assertUsageError(_ text: String, _ fragments: [String], line: UInt = #line) throws {
        let path = try files.write("bad", text)
        XCTAssertThrowsError(try IDList.read(path: path, option: "--cat-ids"), line: line) { error in
            let toolError = error as? ToolError
            XCTAssertEqual(toolError?.exitCode, .usage, "\(error)", line: line)
            XCTAssertEqual(toolError?.file, path, line: line)
            for fragment in fragments { XCTAssert("\(error)".contains(fragment), "\(error)", line: line) }
        }
    }

    func testBothIDFileFormats() throws {
        XCTAssertEqual(try ids("[3, 1, 2, 1]"), [3, 1, 2, 1])
        XCTAssertEqual(try ids("  \n[\n 7 ]\n"), [7])
        XCTAssertEqual(try ids("3\n1\r\n\n  2 \n"), [3, 1, 2])
        XCTAssertEqual(try ids("42"), [42])
    }

    func testMalformedIDFilesAreUsageErrorsNamingFileAndLine() throws {
        try assertUsageError("3\nfour\n5\n", ["--cat-ids: line 2 is \"four\", not an integer id"])
        try assertUsageError("1.5\n", ["line 1 is \"1.5\""])
        try assertUsageError("[1, \"2\"]", ["--cat-ids:", "JSON array of integers"])
        try assertUsageError("[1, 2", ["--cat-ids:"])
        try assertUsageError("{\"ids\": [1]}", ["--cat-ids:"])
        try assertUsageError("\n \n", ["--cat-ids: the file lists no id"])
        try assertUsageError("[]", ["--cat-ids: the file lists no id"])
    }

    func testUnreadableIDFileIsAnIOError() throws {
        XCTAssertThrowsError(try IDList.read(path: files.directory.appendingPathComponent("missing").path, option: "--img-ids")) { error in
            XCTAssertEqual((error as? ToolError)?.exitCode, .ioError, "\(error)")
        }
    }

    private func evaluation(style: EvaluationStyle?, gt: String = "lvis_rules_gt.json", dt: String = "lvis_rules_bbox.json",
                            iouTypes: [IoUType] = [.bbox], evaluationProtocol: EvaluationProtocol = EvaluationProtocol(),
                            subsets: EvaluationSubsets = EvaluationSubsets()) -> DetectionEvaluation {
        DetectionEvaluation(groundTruthPath: Fixtures.path(gt), resultsPath: Fixtures.path(dt), style: style, iouTypes: iouTypes,
                            evaluationProtocol: evaluationProtocol, subsets: subsets)
    }

    private func assertRunFails(_ run: DetectionEvaluation, exitCode: ToolExitCode, _ fragments: [String], line: UInt = #line) {
        XCTAssertThrowsError(try run.run(parallelism: .serial), line: line) { error in
            XCTAssertEqual((error as? ToolError)?.exitCode, exitCode, "\(error)", line: line)
            for fragment in fragments { XCTAssert("\(error)".contains(fragment), "\(error)", line: line) }
        }
    }

    func testIDsTheGroundTruthLacksAreUsageErrors() throws {
        let images = IDList(option: "--img-ids", path: "imgs.txt", ids: [21, 999])
        assertRunFails(evaluation(style: nil, subsets: EvaluationSubsets(images: images)), exitCode: .usage,
                       ["imgs.txt: --img-ids: image id 999 is not in the ground truth"])
        let categories = IDList(option: "--cat-ids", path: "cats.json", ids: [1, 8])
        assertRunFails(evaluation(style: nil, subsets: EvaluationSubsets(categories: categories)), exitCode: .usage,
                       ["cats.json: --cat-ids: category id 8 is not in the ground truth"])
        let slice = ImageSlice(name: "night", images: IDList(option: "--slice night", path: "night.txt", ids: [0]))
        assertRunFails(evaluation(style: nil, subsets: EvaluationSubsets(slices: [slice])), exitCode: .usage,
                       ["night.txt: --slice night: image id 0"])
    }

    func testCOCOStyleRefusesLVISProtocolsAndSmallCaps() throws {
        let coco = (gt: "coco_rules_gt.json", dt: "coco_rules_bbox.json")
        for p in [EvaluationProtocol(detectionsPerCategory: 5), EvaluationProtocol(pooled: true), EvaluationProtocol(maxDetections: 10)] {
            assertRunFails(evaluation(style: nil, gt: coco.gt, dt: coco.dt, evaluationProtocol: p), exitCode: .usage,
                           ["evaluates like pycocotools"])
            assertRunFails(evaluation(style: .coco, gt: "lvis_rules_gt.json", evaluationProtocol: p), exitCode: .usage,
                           ["--style coco evaluates like pycocotools"])
        }
        // -1 and caps above 10 are fine.
        for cap in [EvaluationParameters.noLimit, 11] {
            XCTAssertNoThrow(try evaluation(style: nil, gt: coco.gt, dt: coco.dt, evaluationProtocol: EvaluationProtocol(maxDetections: cap))
                .run(parallelism: .serial))
        }
    }

    func testFixedAPMaskEvaluationNeedsMasks() throws {
        assertRunFails(evaluation(style: .lvis, iouTypes: [.segm], evaluationProtocol: EvaluationProtocol(detectionsPerCategory: 5)),
                       exitCode: .dataError, ["results[0]: --fixed-ap with mask AP: this result has no segmentation"])
    }

    func testFixedAPCountsWhatItCutAndWarnsAboutThinCategories() throws {
        let report = try XCTUnwrap(try evaluation(style: nil, evaluationProtocol: EvaluationProtocol(detectionsPerCategory: 60))
            .run(parallelism: .serial).first)
        // lvis_rules_bbox.json: 95, 75, 62, 69, 60, 51, 67 results for categories 1...7.
        XCTAssertEqual(report.filtered.overCategoryCap, (95 - 60) + (75 - 60) + (62 - 60) + (69 - 60) + (67 - 60))
        XCTAssertEqual(report.filtered.overImageCap, 0)
        XCTAssertEqual(report.categoriesUnderCategoryCap, 1)
        XCTAssertEqual(report.result.parameters.maxDetections, [EvaluationParameters.noLimit])
        XCTAssertNotNil(report.stat("AR@-1"))
    }

    func testJSONDocumentCarriesProtocolSlicesAndPooledStats() throws {
        let slice = ImageSlice(name: "b", images: try IDList.read(path: Fixtures.path("protocol_lvis_slice.txt"), option: "--slice b"))
        let categories = try IDList.read(path: Fixtures.path("protocol_lvis_cat_ids.txt"), option: "--cat-ids")
        let reports = try evaluation(style: nil, evaluationProtocol: EvaluationProtocol(detectionsPerCategory: 5, pooled: true),
                                     subsets: EvaluationSubsets(categories: categories, slices: [slice])).run(parallelism: .serial)
        let document = JSONReport.document(reports)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
        let bbox = try XCTUnwrap(object["bbox"] as? [String: Any])
        let protocolObject = try XCTUnwrap(bbox["protocol"] as? [String: Any])
        XCTAssertEqual((protocolObject["max_dets"] as? NSNumber)?.intValue, -1)
        XCTAssertEqual(((protocolObject["fixed_ap"] as? [String: Any])?["dets_per_cat"] as? NSNumber)?.intValue, 5)
        XCTAssertEqual(protocolObject["ap_pool"] as? Bool, true)
        XCTAssert(protocolObject["img_ids"] is NSNull)
        XCTAssertEqual(((protocolObject["cat_ids"] as? [String: Any])?["categories"] as? NSNumber)?.intValue, 4)
        XCTAssertEqual((bbox["per_category"] as? [Any])?.count, 4)
        for name in ["AP", "APr", "AR@-1", "AP-pooled-all", "AP-pooled-r", "AP-pooled-c", "AP-pooled-f"] {
            XCTAssertNotNil(bbox[name] as? NSNumber, name)
        }
        let slices = try XCTUnwrap(bbox["slices"] as? [String: Any])
        let b = try XCTUnwrap(slices["b"] as? [String: Any])
        XCTAssertEqual((b["images"] as? NSNumber)?.intValue, 3)
        // (Foundation's parser may be an ulp off; the exact read-back is `compare`'s, below.)
        XCTAssertEqual((b["AP-pooled-all"] as? NSNumber)?.doubleValue ?? .nan, reports[0].slices[0].stat("AP-pooled-all") ?? 0, accuracy: 1e-15)

        // `compare` reads the new document: every stat, pooled included; nothing of the slices.
        let path = try files.write("eval.json", document)
        let read = try EvaluationJSONReader.read(name: "m", path: path)
        XCTAssertEqual(read, ModelResults(name: "m", reports: reports))
        XCTAssertNil(read.stats[.bbox]?["images"])
    }

    func testOlderDocumentsStillRead() throws {
        let old = """
        {
          "bbox": {
            "style": "lvis",
            "detections": 12,
            "dropped": {"unknown_category": 0, "unknown_category_ids": [], "over_image_cap": 0, "zero_area": 0, "federated": 3, "gt_zero_area": 0, "gt_unknown_image": 0, "gt_unknown_category": 0},
            "AP": 0.25,
            "APr": 0.125,
            "per_category": [{"id": 1, "name": "a", "frequency": "r", "num_gt": 2, "AP": 0.125, "AP50": 0.5}]
          }
        }
        """
        let read = try EvaluationJSONReader.read(name: "old", path: try files.write("old.json", old))
        XCTAssertEqual(read.stats, [.bbox: ["AP": 0.25, "APr": 0.125]])
    }
}
