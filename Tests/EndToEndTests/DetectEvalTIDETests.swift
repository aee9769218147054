// `detect-eval --tide` run as a user runs it: the "tide" object of --json holds tidecv's numbers
// (Fixtures/tide.expected.json) beside unchanged stats, the text summary gains the table,
// --tide-plot writes a PNG, --max-dets / --cat-ids reach TIDE, results on stdin give the same
// breakdown and confusions as a file (the analyses reuse what the evaluation parsed), and the
// combinations TIDE cannot serve (--fixed-ap, --tide-plot -) exit 64.
import Foundation
import XCTest

final class DetectEvalTIDETests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("detect-eval-tide-\(getpid())-\(name.filter(\.isLetter))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    private let lvisBoxes = DetectEvalTests.fixtures.appendingPathComponent("lvis_rules_bbox.json").path

    /// The tidecv numbers of fixture case (name, iouType, maxDets).
    private func expected(_ name: String, _ iouType: String, _ cap: Int) throws -> [String: Any] {
        let data = try Data(contentsOf: DetectEvalTests.fixtures.appendingPathComponent("tide.expected.json"))
        let cases = try XCTUnwrap((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["cases"] as? [[String: Any]])
        return try XCTUnwrap(cases.first {
            $0["name"] as? String == name && $0["iouType"] as? String == iouType && $0["maxDets"] as? Int == cap && $0["catIds"] == nil
        })
    }

    private func assertSameNumbers(_ actual: [String: Any], _ expected: [String: Any], line: UInt = #line) throws {
        XCTAssertEqual(try XCTUnwrap(actual["ap"] as? Double), try XCTUnwrap(expected["ap"] as? Double), accuracy: 1e-9, line: line)
        for part in ["main", "special"] {
            let a = try XCTUnwrap(actual[part] as? [String: Double]), e = try XCTUnwrap(expected[part] as? [String: Double])
            XCTAssertEqual(Set(a.keys), Set(e.keys), line: line)
            for (key, value) in e { XCTAssertEqual(try XCTUnwrap(a[key]), value, accuracy: 1e-9, "\(part) \(key)", line: line) }
        }
    }

    func testJSONTextAndPlot() throws {
        let json = try ToolRunner.run("detect-eval", ["--gt", DetectEvalTests.lvisGT, "--dt", lvisBoxes, "--tide", "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertNotNil((document["bbox"] as? [String: Any])?["AP"], "the stats stay where they were")
        let tide = try XCTUnwrap((document["tide"] as? [String: Any])?["bbox"] as? [String: Any])
        XCTAssertEqual(tide["rules"] as? String, "lvis")
        XCTAssertEqual(tide["max_dets"] as? Int, 300)
        XCTAssertEqual(tide["pos_threshold"] as? Double, 0.5)
        XCTAssertEqual(tide["background_threshold"] as? Double, 0.1)
        let reference = try expected("lvis_rules", "bbox", 300)
        try assertSameNumbers(tide, reference)
        XCTAssertEqual(tide["counts"] as? [String: Int], reference["counts"] as? [String: Int])
        let groups = try XCTUnwrap(tide["groups"] as? [String: Any]), referenceGroups = try XCTUnwrap(reference["groups"] as? [String: Any])
        XCTAssertEqual(Set(groups.keys), ["r", "c", "f"])
        for group in ["r", "c", "f"] {
            try assertSameNumbers(try XCTUnwrap(groups[group] as? [String: Any]), try XCTUnwrap(referenceGroups[group] as? [String: Any]))
        }

        let plot = folder.appendingPathComponent("tide.png").path
        let text = try ToolRunner.run("detect-eval", ["--gt", DetectEvalTests.lvisGT, "--dt", lvisBoxes, "--tide-plot", plot])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssert(text.stdout.contains("TIDE error breakdown, bbox (tidecv LVIS rules, 300 detections per image"), text.stdout)
        XCTAssert(text.stdout.contains("               AP    Cls    Loc   Both   Dupe    Bkg   Miss FalsePos FalseNeg\n"), text.stdout)
        XCTAssert(text.stdout.contains("\n  all       46.12   0.00   2.49   4.84   0.00   0.00   0.00    36.05    -1.32\n"), text.stdout)
        XCTAssert(text.stdout.contains("\n  errors              30     79    170     34     75      1\n"), text.stdout)
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: plot))
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    func testCapAndSubsetReachTIDE() throws {
        let uncapped = try ToolRunner.run("detect-eval", ["--gt", DetectEvalTests.lvisGT, "--dt", lvisBoxes, "--tide", "--json", "--max-dets", "-1"])
        XCTAssertEqual(uncapped.status, 0, uncapped.stderr)
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(uncapped.stdout.utf8)) as? [String: Any])
        let tide = try XCTUnwrap((document["tide"] as? [String: Any])?["bbox"] as? [String: Any])
        XCTAssertEqual(tide["max_dets"] as? Int, -1)
        let reference = try expected("lvis_rules", "bbox", -1)
        try assertSameNumbers(tide, reference)
        XCTAssertEqual(tide["counts"] as? [String: Int], reference["counts"] as? [String: Int])

        let ids = folder.appendingPathComponent("cats.json")
        try Data("[2, 5, 9]".utf8).write(to: ids)
        let gt = DetectEvalTests.fixtures.appendingPathComponent("tide_random_coco_gt.json").path
        let results = DetectEvalTests.fixtures.appendingPathComponent("tide_random_coco_results.json").path
        let subset = try ToolRunner.run("detect-eval", ["--gt", gt, "--dt", results, "--tide", "--json", "--cat-ids", ids.path])
        XCTAssertEqual(subset.status, 0, subset.stderr)
        let subsetDocument = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(subset.stdout.utf8)) as? [String: Any])
        let data = try Data(contentsOf: DetectEvalTests.fixtures.appendingPathComponent("tide.expected.json"))
        let cases = try XCTUnwrap((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["cases"] as? [[String: Any]])
        try assertSameNumbers(try XCTUnwrap((subsetDocument["tide"] as? [String: Any])?["bbox"] as? [String: Any]),
                              try XCTUnwrap(cases.first { $0["name"] as? String == "random_coco_subset" }))
    }

    func testResultsOnStdinGiveWhatAFileGives() throws {
        func run(_ results: String, stdin: Data?, csv: String) throws -> (document: [String: Any], csv: String) {
            let run = try ToolRunner.run("detect-eval", ["--gt", DetectEvalTests.lvisGT, "--tide", "--confusion", csv, "--json", results],
                                         stdin: stdin)
            XCTAssertEqual(run.status, 0, run.stderr)
            return (try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]),
                    try String(contentsOfFile: csv, encoding: .utf8))
        }
        let file = try run(lvisBoxes, stdin: nil, csv: folder.appendingPathComponent("file.csv").path)
        let piped = try run("-", stdin: try Data(contentsOf: URL(fileURLWithPath: lvisBoxes)), csv: folder.appendingPathComponent("piped.csv").path)
        XCTAssertEqual(piped.document["tide"] as? NSDictionary, try XCTUnwrap(file.document["tide"] as? NSDictionary))
        let fileConfusion = try XCTUnwrap(file.document["confusion"] as? [String: Any])
        let pipedConfusion = try XCTUnwrap(piped.document["confusion"] as? [String: Any])
        XCTAssertEqual(pipedConfusion["long_tail"] as? NSArray, try XCTUnwrap(fileConfusion["long_tail"] as? NSArray))
        XCTAssertEqual(piped.csv, file.csv)
        XCTAssertGreaterThan(file.csv.split(separator: "\n").count, 2, "the matrix has rows")
    }

    func testCombinationsTIDECannotServeExit64() throws {
        let base = ["--gt", DetectEvalTests.lvisGT]
        let cases: [([String], Data?, String)] = [
            (base + ["--dt", lvisBoxes, "--tide", "--fixed-ap"], nil, "--tide follows tidecv's protocol"),
            (base + ["--dt", lvisBoxes, "--tide-plot", "-"], nil, "--tide-plot -: stdout already carries the summary"),
            (base + ["--dt", lvisBoxes, "--tide-plot", "x.png", "--plot", "x.png"], nil, "--tide-plot x.png is named by another output too"),
        ]
        for (arguments, stdin, message) in cases {
            let run = try ToolRunner.run("detect-eval", arguments, stdin: stdin)
            XCTAssertEqual(run.status, 64, "\(arguments): \(run.stderr)")
            XCTAssert(run.stderr.contains(message), "missing \"\(message)\" in: \(run.stderr)")
            XCTAssert(run.stdout.isEmpty, run.stdout)
        }
    }
}
