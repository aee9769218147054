// detect-eval's analyses run as a user runs them: --calibration and --diagnostics N print their
// lines and their --json objects (equal to the library's values), compare --gt --dt --bootstrap
// prints the intervals (the same for the same seed, as markdown and JSON), and bad values exit 64
// naming the option.
import Foundation
import XCTest

final class DetectEvalAnalysisOptionTests: XCTestCase {
    private let lvisBoxes = DetectEvalTests.fixtures.appendingPathComponent("lvis_rules_bbox.json").path

    private func assertExit(_ run: ToolRun, _ status: Int32, _ fragment: String, line: UInt = #line) {
        XCTAssertEqual(run.status, status, run.stderr, line: line)
        XCTAssert(run.stderr.contains(fragment), "missing \"\(fragment)\" in: \(run.stderr)", line: line)
    }

    func testBadValuesExit64() throws {
        let lvis = ["--gt", DetectEvalTests.lvisGT, "--dt", lvisBoxes]
        assertExit(try ToolRunner.run("detect-eval", lvis + ["--calibration-bins", "5"]), 64, "add --calibration")
        assertExit(try ToolRunner.run("detect-eval", lvis + ["--calibration", "--calibration-bins", "0"]), 64, "--calibration-bins must be at least 1")
        assertExit(try ToolRunner.run("detect-eval", lvis + ["--calibration", "--calibration-iou", "0.52"]), 64, "--calibration-iou 0.52 is not an evaluation IoU threshold")
        assertExit(try ToolRunner.run("detect-eval", lvis + ["--diagnostics", "0"]), 64, "--diagnostics must list at least 1 image")
        assertExit(try ToolRunner.run("detect-eval", lvis + ["--diagnostics-score-threshold", "0.3"]), 64, "add --diagnostics 10")
        assertExit(try ToolRunner.run("detect-eval", lvis + ["--diagnostics", "3", "--diagnostics-score-threshold", "2"]), 64, "must be in 0-1")
        let compare = ["compare", "--gt", DetectEvalTests.lvisGT]
        assertExit(try ToolRunner.run("detect-eval", compare + ["--dt", "a=\(lvisBoxes)", "--bootstrap", "0"]), 64, "--bootstrap must be at least 1")
        assertExit(try ToolRunner.run("detect-eval", ["compare", "--dt", "a=\(lvisBoxes)"]), 64, "add --gt")
        assertExit(try ToolRunner.run("detect-eval", compare + ["--dt", "a=\(lvisBoxes)", "--distinct-images"]), 64, "add --bootstrap")
        assertExit(try ToolRunner.run("detect-eval", compare + ["--dt", "a=\(lvisBoxes)", "--result", "b=\(lvisBoxes)"]), 64, "not both")
    }

    func testCalibrationAndDiagnosticsInTheOutputs() throws {
        let arguments = ["--gt", DetectEvalTests.lvisGT, "--dt", lvisBoxes, "--calibration", "--diagnostics", "2"]
        let text = try ToolRunner.run("detect-eval", arguments)
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssert(text.stdout.contains("Calibration (IoU=0.50, 10 bins, hotcoco's definitions)\n  all: ECE="), text.stdout)
        XCTAssert(text.stdout.contains("worst by most false positives:\n    image "), text.stdout)
        let json = try ToolRunner.run("detect-eval", arguments + ["--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let bbox = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["bbox"] as? [String: Any])
        let calibration = try XCTUnwrap(bbox["calibration"] as? [String: Any])
        let all = try XCTUnwrap(calibration["all"] as? [String: Any])
        XCTAssertEqual((all["bins"] as? [Any])?.count, 10)
        XCTAssertNotNil(calibration["r"])
        XCTAssert(text.stdout.contains("  all: ECE=" + String(format: "%.4f", try XCTUnwrap(all["ece"] as? Double))), text.stdout)
        let diagnostics = try XCTUnwrap(bbox["diagnostics"] as? [String: Any])
        XCTAssertEqual((diagnostics["worst_false"] as? [Any])?.count, 2)
        XCTAssertEqual((diagnostics["worst_missed"] as? [Any])?.count, (diagnostics["fn"] as? Int) == 0 ? 0 : 2)
        XCTAssertEqual(diagnostics["iou_threshold"] as? Double, 0.5)
    }

    func testCompareBootstrapIsSeeded() throws {
        let arguments = ["compare", "--gt", DetectEvalTests.lvisGT, "--dt", "base=\(lvisBoxes)", "--dt", "masks=\(DetectEvalTests.lvisMasks)",
                         "--bootstrap", "30", "--seed", "4"]
        let first = try ToolRunner.run("detect-eval", arguments), again = try ToolRunner.run("detect-eval", arguments)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(first.stdout, again.stdout)
        XCTAssert(first.stdout.contains("bbox: 95 % bootstrap intervals, 30 resamples of"), first.stdout)
        XCTAssert(first.stdout.contains("| masks - base |"), first.stdout)
        let json = try ToolRunner.run("detect-eval", arguments + ["--json", "--distinct-images"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((document["bootstrap"] as? [String: Any])?["resampling"] as? String, "distinct")
        let differences = try XCTUnwrap((document["bbox"] as? [String: Any])?["differences"] as? [String: Any])
        let ap = try XCTUnwrap((differences["masks"] as? [String: Any])?["AP"] as? [String: Any])
        XCTAssertLessThanOrEqual(try XCTUnwrap(ap["lower"] as? Double), try XCTUnwrap(ap["upper"] as? Double))
        let other = try ToolRunner.run("detect-eval", Array(arguments.dropLast()) + ["5"])
        XCTAssertNotEqual(other.stdout, first.stdout, "another seed, other resamples")
    }
}
