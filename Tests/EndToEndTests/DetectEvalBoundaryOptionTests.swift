// detect-eval --iou-type boundary run as a user runs it: the printed summary is
// boundary-iou-api's own (boundary_eval.expected.json, scripts/fixtures/make_boundary_fixtures.py),
// lists of types evaluate each, --json carries "boundary" with its ratio, and bad values of
// --iou-type / --dilation-ratio exit 64 naming the option.
import Foundation
import XCTest

final class DetectEvalBoundaryOptionTests: XCTestCase {
    private static let fixtures = DetectEvalTests.fixtures

    /// The reference's case `name` from boundary_eval.expected.json.
    private func reference(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("boundary_eval.expected.json"))
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try XCTUnwrap(document["cases"] as? [[String: Any]])
        return try XCTUnwrap(cases.first { $0["name"] as? String == name }, name)
    }

    private func run(_ gt: String, _ dt: String, _ extra: [String]) throws -> ToolRun {
        try ToolRunner.run("detect-eval", ["--gt", Self.fixtures.appendingPathComponent(gt).path,
                                           "--dt", Self.fixtures.appendingPathComponent(dt).path] + extra)
    }

    func testSummaryIsTheReferences() throws {
        for (name, gt, dt, extra) in [
            ("boundary_lvis_rules", "lvis_rules_gt.json", "lvis_rules_segm.json", [String]()),
            ("boundary_lvis_rules_ratio_0.05", "lvis_rules_gt.json", "lvis_rules_segm.json", ["--dilation-ratio", "0.05"]),
            ("boundary_coco_rules", "coco_rules_gt.json", "coco_rules_segm.json", []),
            ("boundary_edges_coco_ratio_0.2", "boundary_edges_coco_gt.json", "boundary_edges_segm.json", ["--dilation-ratio", "0.2"]),
        ] {
            let result = try run(gt, dt, ["--iou-type", "boundary"] + extra)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(result.stdout, try reference(name)["summary_text"] as? String, name)
        }
    }

    func testTypeListAndJSON() throws {
        let result = try run("lvis_rules_gt.json", "lvis_rules_segm.json", ["--iou-type", "segm,boundary", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(Set(document.keys), ["segm", "boundary"])
        let boundary = try XCTUnwrap(document["boundary"] as? [String: Any])
        let protocolObject = try XCTUnwrap(boundary["protocol"] as? [String: Any])
        XCTAssertEqual(protocolObject["dilation_ratio"] as? Double, 0.02)
        XCTAssertNil((document["segm"] as? [String: Any])?["protocol"].flatMap { ($0 as? [String: Any])?["dilation_ratio"] })
        let stats = try XCTUnwrap(try reference("boundary_lvis_rules")["stats"] as? [String: Double])
        for (name, value) in stats {
            XCTAssertEqual(try XCTUnwrap(boundary[name] as? Double, name), value, accuracy: 1e-12, name)
        }
        // `all` is bbox, segm and boundary, in that order in the text output.
        let all = try run("lvis_rules_gt.json", "lvis_rules_segm.json", ["--iou-type", "all"])
        XCTAssertEqual(all.status, 0, all.stderr)
        let headers = all.stdout.split(separator: "\n").filter { $0.hasPrefix("type=") }
        XCTAssertEqual(headers, ["type=bbox", "type=segm", "type=boundary"])
    }

    func testBadValuesExit64() throws {
        for (extra, fragment) in [
            (["--dilation-ratio", "0.05"], "--dilation-ratio 0.05 sets the width of Boundary IoU's boundaries: add --iou-type boundary"),
            (["--iou-type", "segm", "--dilation-ratio", "0.05"], "add --iou-type boundary"),
            (["--iou-type", "boundary", "--dilation-ratio", "-0.1"], "--dilation-ratio must be a finite number of at least 0"),
            (["--iou-type", "boundary", "--dilation-ratio", "nan"], "--dilation-ratio must be a finite number"),
            (["--iou-type", "segm,edges"], "--iou-type"),
            (["--iou-type", "segm,"], "--iou-type"),
        ] {
            let result = try run("lvis_rules_gt.json", "lvis_rules_segm.json", extra)
            XCTAssertEqual(result.status, 64, "\(extra): \(result.stderr)")
            XCTAssert(result.stdout.isEmpty, "\(extra)")
            XCTAssert(result.stderr.contains(fragment), "\(extra): missing \"\(fragment)\" in \(result.stderr)")
        }
    }

    func testHelpDocumentsBoundaryWithExamples() throws {
        let help = try ToolRunner.run("detect-eval", ["evaluate", "--help"])
        XCTAssertEqual(help.status, 0, help.stderr)
        for fragment in ["--dilation-ratio <RATIO>", "--iou-type boundary --dilation-ratio 0.005", "--iou-type segm,boundary",
                         "boundary-iou-api"] {
            XCTAssert(help.stdout.contains(fragment), "missing \"\(fragment)\" in --help")
        }
        let compare = try ToolRunner.run("detect-eval", ["compare", "--help"])
        XCTAssert(compare.stdout.contains("--dilation-ratio"), compare.stdout)
    }
}
