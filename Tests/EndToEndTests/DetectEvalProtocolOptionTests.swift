// detect-eval evaluate's protocol and subset options run as a user runs them: bad values and
// id files exit 64 naming the option or file (74 when the file cannot be read), COCO style
// refuses the LVIS protocols, and a good run prints the pooled lines and one row per slice.
import Foundation
import XCTest

final class DetectEvalProtocolOptionTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("detect-eval-protocol-\(getpid())-\(name.filter(\.isLetter))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    private func file(_ name: String, _ text: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    private func lvis(_ extra: [String]) throws -> ToolRun {
        try ToolRunner.run("detect-eval", ["--gt", DetectEvalTests.lvisGT, "--dt", DetectEvalTests.fixtures.appendingPathComponent("lvis_rules_bbox.json").path] + extra)
    }

    private func assertExit(_ run: ToolRun, _ status: Int32, _ fragments: [String], line: UInt = #line) {
        XCTAssertEqual(run.status, status, run.stderr, line: line)
        XCTAssert(run.stdout.isEmpty, "nothing on stdout after an error: \(run.stdout)", line: line)
        for fragment in fragments { XCTAssert(run.stderr.contains(fragment), "missing \"\(fragment)\" in: \(run.stderr)", line: line) }
    }

    func testBadOptionValuesExit64() throws {
        assertExit(try lvis(["--max-dets", "0"]), 64, ["--max-dets 0: give a positive cap, or -1 for none"])
        assertExit(try lvis(["--max-dets", "-2"]), 64, ["--max-dets -2"])
        assertExit(try lvis(["--dets-per-cat", "5"]), 64, ["--dets-per-cat 5 is the Fixed AP cut: give it with --fixed-ap"])
        assertExit(try lvis(["--fixed-ap", "--dets-per-cat", "0"]), 64, ["--dets-per-cat must be at least 1"])
        assertExit(try lvis(["--fixed-ap", "--max-dets", "300"]), 64, ["--fixed-ap has no per-image cap"])
        assertExit(try lvis(["--slice", "night"]), 64, ["--slice"])
        assertExit(try lvis(["--slice", "=ids.txt"]), 64, ["--slice"])
        let ids = try file("ids.txt", "21\n")
        assertExit(try lvis(["--slice", "a=\(ids)", "--slice", "a=\(ids)"]), 64, ["--slice: the name `a` is given twice"])
        assertExit(try lvis(["--img-ids", "-"]), 64, ["--img-ids -: standard input is for the ground truth or the results"])
    }

    func testCOCOStyleRefusesLVISProtocols() throws {
        let coco = ["--gt", DetectEvalTests.cocoGT, "--dt", DetectEvalTests.cocoBoxes]
        assertExit(try ToolRunner.run("detect-eval", coco + ["--fixed-ap"]), 64,
                   ["--fixed-ap is an LVIS protocol, but the ground truth \(DetectEvalTests.cocoGT) (no federated fields) evaluates like pycocotools"])
        assertExit(try ToolRunner.run("detect-eval", coco + ["--ap-pool"]), 64, ["--ap-pool is an LVIS protocol"])
        assertExit(try lvis(["--style", "coco", "--fixed-ap"]), 64, ["--style coco evaluates like pycocotools"])
        assertExit(try ToolRunner.run("detect-eval", coco + ["--max-dets", "5"]), 64, ["--max-dets 5: in COCO style the cap must be above 10 or -1"])
        let uncapped = try ToolRunner.run("detect-eval", coco + ["--max-dets", "-1"])
        XCTAssertEqual(uncapped.status, 0, uncapped.stderr)
        XCTAssert(uncapped.stdout.contains("| area=   all | maxDets=all ] = "), uncapped.stdout)
    }

    func testBadIDFiles() throws {
        assertExit(try lvis(["--img-ids", folder.appendingPathComponent("missing.txt").path]), 74, ["missing.txt", "no such file"])
        let malformed = try file("bad.txt", "21\n4x\n")
        assertExit(try lvis(["--img-ids", malformed]), 64, ["\(malformed): --img-ids: line 2 is \"4x\", not an integer id"])
        let empty = try file("empty.json", "[]")
        assertExit(try lvis(["--cat-ids", empty]), 64, ["\(empty): --cat-ids: the file lists no id"])
        let unknown = try file("cats.json", "[1, 404]")
        assertExit(try lvis(["--cat-ids", unknown]), 64, ["\(unknown): --cat-ids: category id 404 is not in the ground truth"])
        assertExit(try lvis(["--img-ids", folder.path]), 64, ["--img-ids", "not a file"])
    }

    func testFixedAPPooledAndSlicesInTheTextSummary() throws {
        let slice = try file("slice.txt", "8\n2\n30\n")
        let run = try lvis(["--fixed-ap", "--dets-per-cat", "5", "--ap-pool", "--slice", "b=\(slice)"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 13 + 4 + 1, run.stdout)
        XCTAssert(lines[0].hasPrefix(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets= -1 catIds=all] = 0.180"), lines[0])
        XCTAssertEqual(lines[14], " Pooled Precision   (AP) @[ IoU=0.50:0.95 | area=   all | maxDets= -1 catIds=  r] = 0.067")
        XCTAssert(lines[17].hasPrefix("slice b: 3 images, "), lines[17])
        XCTAssert(lines[17].contains(" AP-pooled-all="), lines[17])
        XCTAssert(run.stderr.contains("fewer than 5 detections") == false, "every category has more than 5: \(run.stderr)")
        let thin = try lvis(["--fixed-ap", "--dets-per-cat", "60"])
        XCTAssert(thin.stderr.contains("warning: \(DetectEvalTests.fixtures.appendingPathComponent("lvis_rules_bbox.json").path): 1 category has fewer than 60 detections"), thin.stderr)
    }
}
