// detect-eval report and compare run as a user runs them: a small synthetic LVIS set
// (lvis-prep synth), detections made from its ground truth, then the report folder (every
// PNG a PNG, report.md linking them, the table on stdout equal to `detect-eval --json`, the
// TIDE table equal to `detect-eval --tide --json`, the long-tail confusion totals equal to the
// sums over `detect-eval --confusion`'s CSV, a note where results lack boxes), the comparison
// table and chart, and bad input (64 usage, 1 bad data, 74 missing file).
import Foundation
import XCTest

final class DetectEvalReportTests: XCTestCase {
    var scratch = ""
    var data: String { scratch + "/data" }
    var valJSON: String { data + "/lvis_v1_val.json" }

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "detect-eval-report-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let made = try ToolRunner.run("lvis-prep", ["synth", "--out", data, "--seed", "3", "--train-images", "20", "--val-images", "6",
                                                    "--threads", "1", "--quiet"])
        XCTAssertEqual(made.status, 0, made.stderr)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: scratch)
    }

    /// COCO results from the val ground truth: every `keep`-th instance, box shifted by
    /// `shift` pixels, polygon masks, scores from 0.95 down.
    func writeDetections(_ name: String, keep: Int, shift: Double, boxes: Bool = true) throws -> String {
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: valJSON))) as? [String: Any])
        let annotations = try XCTUnwrap(object["annotations"] as? [[String: Any]])
        var results: [[String: Any]] = []
        for (i, annotation) in annotations.enumerated() where i % keep == 0 {
            let box = try XCTUnwrap(annotation["bbox"] as? [Double])
            var result: [String: Any] = ["image_id": annotation["image_id"]!, "category_id": annotation["category_id"]!,
                                         "score": 0.95 - Double(i % 10) * 0.05, "segmentation": annotation["segmentation"]!]
            if boxes { result["bbox"] = [box[0] + shift, box[1] + shift, box[2], box[3]] }
            results.append(result)
        }
        let path = scratch + "/\(name).json"
        try JSONSerialization.data(withJSONObject: results).write(to: URL(fileURLWithPath: path))
        return path
    }

    func isPNG(_ path: String) -> Bool {
        guard let bytes = FileManager.default.contents(atPath: path) else { return false }
        return Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    }

    /// The cells of the table rows on stdout, keyed by their first cells.
    func rows(_ table: String, keyColumns: Int) -> [String: [String]] {
        var rows: [String: [String]] = [:]
        for line in table.split(separator: "\n").dropFirst(2) {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            rows[cells.prefix(keyColumns).joined(separator: " ")] = Array(cells.dropFirst(keyColumns))
        }
        return rows
    }

    func evalJSON(_ detections: String) throws -> (path: String, stats: [String: [String: Double]]) {
        let run = try ToolRunner.run("detect-eval", ["--gt", valJSON, "--dt", detections, "--iou-type", "both", "--json", "--threads", "1"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let path = detections.replacingOccurrences(of: ".json", with: ".eval.json")
        try run.stdout.write(toFile: path, atomically: true, encoding: .utf8)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: [String: Any]])
        return (path, object.mapValues { $0.compactMapValues { ($0 as? NSNumber)?.doubleValue } })
    }

    func testReportWritesEveryPictureAndTheSameNumbersAsEvaluate() throws {
        let good = try writeDetections("good", keep: 1, shift: 0), poor = try writeDetections("poor", keep: 2, shift: 3)
        let out = scratch + "/report"
        let run = try ToolRunner.run("detect-eval", ["report", "--gt", valJSON, "--images", data, "--train-gt", data + "/lvis_v1_train.json",
                                                     "--model", "good=" + good, "--model", "poor=" + poor, "--out", out, "--threads", "1"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let table = rows(run.stdout, keyColumns: 2)
        XCTAssertEqual(Set(table.keys), ["good bbox", "good segm", "poor bbox", "poor segm"], run.stdout)
        for (name, path) in [("good", good), ("poor", poor)] {
            let stats = try evalJSON(path).stats
            for type in ["bbox", "segm"] {
                let cells = try XCTUnwrap(table["\(name) \(type)"])
                for (cell, stat) in zip(cells, ["AP", "AP50", "AP75", "APr", "APc", "APf"]) {
                    let value = try XCTUnwrap(stats[type]?[stat])
                    XCTAssertEqual(cell, value < 0 ? "-" : String(format: "%.3f", value), "\(name) \(type) \(stat)")
                }
            }
        }
        XCTAssertEqual(table["good bbox"]?.first, "1.000", "detections equal to the ground truth score AP 1")
        let report = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        for png in ["ap-per-frequency.png", "pr-good.png", "pr-poor.png", "tide.png", "confusion-good.png", "confusion-poor.png",
                    "long-tail.png", "detections.png"] {
            XCTAssert(report.contains("](\(png))"), "report.md does not link \(png)")
            XCTAssert(isPNG(out + "/" + png), "\(png) is not a PNG")
        }
        XCTAssert(report.contains("| good "), report)
        try checkAnalyses(report, models: [("good", good), ("poor", poor)])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out).filter { !$0.hasSuffix(".png") && $0 != "report.md" }
        XCTAssertEqual(leftovers, [], "temporary files left behind")
    }

    /// report.md's TIDE rows against `detect-eval --tide --json` (two decimals) and its
    /// long-tail totals against sums over `detect-eval --confusion`'s CSV, per model.
    func checkAnalyses(_ report: String, models: [(name: String, path: String)]) throws {
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: valJSON))) as? [String: Any])
        let categories = try XCTUnwrap(object["categories"] as? [[String: Any]]).sorted { ($0["id"] as! Int) < ($1["id"] as! Int) }
        let groups = categories.map { $0["frequency"] as? String ?? "" }
        let errors = ["Cls", "Loc", "Both", "Dupe", "Bkg", "Miss"], special = ["FalsePos", "FalseNeg"]
        let lines = report.split(separator: "\n").map(String.init)
        func cells(_ line: String) -> [String] { line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
        for (name, path) in models {
            let csv = scratch + "/\(name).confusion.csv"
            let run = try ToolRunner.run("detect-eval", ["--gt", valJSON, "--dt", path, "--iou-type", "both", "--tide", "--confusion", csv, "--json"])
            XCTAssertEqual(run.status, 0, run.stderr)
            let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            let tide = try XCTUnwrap(document["tide"] as? [String: [String: Any]])
            for type in ["bbox", "segm"] {
                let breakdown = try XCTUnwrap(tide[type])
                var sets: [(String, [String: Any])] = [("all", breakdown)]
                for group in ["r", "c", "f"] { sets.append((group, try XCTUnwrap((breakdown["groups"] as? [String: Any])?[group] as? [String: Any]))) }
                for (group, scores) in sets {
                    let main = try XCTUnwrap(scores["main"] as? [String: Any]), specials = try XCTUnwrap(scores["special"] as? [String: Any])
                    let values = [scores["ap"]] + errors.map { main[$0] } + special.map { specials[$0] }
                    let expected = values.map { ($0 as? NSNumber).map { String(format: "%.2f", $0.doubleValue) } ?? "-" }
                    let row = try XCTUnwrap(lines.map(cells).first { $0.prefix(3) == [name, type, group] }, "no TIDE row \(name) \(type) \(group)")
                    XCTAssertEqual(Array(row.dropFirst(3)), expected, "\(name) \(type) \(group)")
                }
            }
            // The matrix: header, then one row per category (id order), then background.
            let matrix = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").dropFirst().map { line in
                line.split(separator: ",").suffix(categories.count + 1).map { Int($0)! }
            }
            var rare = 0, common = 0
            for (row, group) in groups.enumerated() where group == "r" || group == "c" {
                let taken = groups.indices.filter { groups[$0] == "f" }.reduce(0) { $0 + matrix[row][$1] }
                if group == "r" { rare += taken } else { common += taken }
            }
            let totals = try XCTUnwrap(lines.map(cells).first { $0.first == name && $0.count == 5 }, "no long-tail totals row for \(name)")
            XCTAssertEqual(totals[1], String(rare), "\(name) rare -> frequent")
            XCTAssertEqual(totals[3], String(common), "\(name) common -> frequent")
        }
        XCTAssert(report.contains("## TIDE error breakdown"), report)
        XCTAssert(report.contains("## Long-tail confusions"), report)
    }

    /// Results with masks but no boxes: the mask TIDE is there, the box TIDE and the confusion
    /// matrix are not, and report.md says why, naming the record.
    func testResultsWithoutBoxesGetANote() throws {
        let masks = try writeDetections("masks", keep: 1, shift: 0, boxes: false)
        let out = scratch + "/report"
        let run = try ToolRunner.run("detect-eval", ["report", "--gt", valJSON, "--model", "masks=" + masks, "--out", out, "--threads", "1"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let report = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        XCTAssert(report.contains("masks: no bbox TIDE breakdown: results[0] of `\(masks)` has no `bbox`"), report)
        XCTAssert(report.contains("masks: no confusion matrix: results[0] of `\(masks)` has no `bbox`"), report)
        // TIDE rows: model, IoU type, classes, AP and eight dAPs.
        let rows = report.split(separator: "\n").map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
            .filter { $0.count == 12 }
        XCTAssert(rows.contains { $0.prefix(3) == ["masks", "segm", "all"] }, report)
        XCTAssertFalse(rows.contains { $0.prefix(2) == ["masks", "bbox"] }, report)
        XCTAssert(isPNG(out + "/tide.png"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/confusion-masks.png"))
    }

    func testCompareTableEqualsTheEvaluationsAndDrawsTheChart() throws {
        let a = try evalJSON(try writeDetections("a", keep: 1, shift: 2)), b = try evalJSON(try writeDetections("b", keep: 3, shift: 0))
        let chart = scratch + "/chart.png"
        let run = try ToolRunner.run("detect-eval", ["compare", "--result", "a=" + a.path, "--result", "b=" + b.path, "--chart", chart])
        XCTAssertEqual(run.status, 0, run.stderr)
        let table = rows(run.stdout, keyColumns: 1)
        XCTAssertEqual(run.stdout.split(separator: "\n").first.map(String.init),
                       "| model | bbox AP | bbox APr | bbox APc | bbox APf | segm AP | segm APr | segm APc | segm APf |")
        for (name, stats) in [("a", a.stats), ("b", b.stats)] {
            let expected = ["bbox", "segm"].flatMap { type in ["AP", "APr", "APc", "APf"].map { stat in
                stats[type]![stat]!.isLess(than: 0) ? "-" : String(format: "%.3f", stats[type]![stat]!) } }
            XCTAssertEqual(table[name], expected, name)
        }
        XCTAssert(isPNG(chart))
    }

    func testBadArgumentsAndFiles() throws {
        let good = try writeDetections("good", keep: 1, shift: 0)
        let usage = try ToolRunner.run("detect-eval", ["report", "--gt", valJSON, "--model", "no-equals-sign", "--out", scratch + "/r"])
        XCTAssertEqual(usage.status, 64, usage.stderr)
        XCTAssert(usage.stderr.hasPrefix("detect-eval: error:"), usage.stderr)
        let twice = try ToolRunner.run("detect-eval", ["compare", "--result", "a=" + good, "--result", "a=" + good])
        XCTAssertEqual(twice.status, 64, twice.stderr)
        let none = try ToolRunner.run("detect-eval", ["compare"])
        XCTAssertEqual(none.status, 64, none.stderr)

        let missing = try ToolRunner.run("detect-eval", ["compare", "--result", "a=/nonexistent/eval.json"])
        XCTAssertEqual(missing.status, 74, missing.stderr)
        XCTAssert(missing.stderr.contains("/nonexistent/eval.json"), missing.stderr)
        let missingDetections = try ToolRunner.run("detect-eval", ["report", "--gt", valJSON, "--model", "a=/nonexistent/dets.json",
                                                                   "--out", scratch + "/r"])
        XCTAssertEqual(missingDetections.status, 74, missingDetections.stderr)
        XCTAssert(missingDetections.stderr.contains("/nonexistent/dets.json"), missingDetections.stderr)
        let missingImages = try ToolRunner.run("detect-eval", ["report", "--gt", valJSON, "--model", "a=" + good, "--images", scratch + "/nowhere",
                                                               "--out", scratch + "/r"])
        XCTAssertEqual(missingImages.status, 74, missingImages.stderr)
        XCTAssert(missingImages.stderr.contains(scratch + "/nowhere"), missingImages.stderr)

        let notEval = try ToolRunner.run("detect-eval", ["compare", "--result", "a=" + good])
        XCTAssertEqual(notEval.status, 1, notEval.stderr)
        XCTAssert(notEval.stderr.contains(good), notEval.stderr)
    }
}
