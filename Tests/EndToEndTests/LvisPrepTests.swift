// lvis-prep end to end: real COCO photos and LVIS v0.5 files, synth -> convert -> inspect /
// verify / stats, a damaged shard caught by verify, the command-line contract, and the
// audit regressions (odd polygon, no image found, truncated manifest, hints, synth warning),
// and the pipelines' prep script (scripts/convert-shards.sh) on skipped records.
import Foundation
import XCTest

final class LvisPrepTests: XCTestCase {
    /// Tests/Fixtures: the committed real data (this file is REPO/Tests/EndToEndTests/...).
    static let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path
    /// Four coco128 photos (train2017/) and their annotations, cut from coco128's json by
    /// scripts/fixtures/make_real_data_fixtures.py (Tests/Fixtures/README.md says why these four).
    static let cocoSubset = data + "/coco128-subset"
    var scratch = ""

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "lvis-prep-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: scratch)
    }

    func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    /// The real photos convert with nothing skipped (a greyscale JPEG, an image without
    /// annotations, a crowd RLE among polygons) and inspect counts them: 4 images, 22 instances
    /// (21 polygons, 1 crowd), the counts the fixture script prints from the json.
    func testCoco128ConvertsCleanlyAndInspectCountsIt() throws {
        let coco = Self.cocoSubset
        XCTAssertTrue(FileManager.default.fileExists(atPath: coco), "real data missing: \(coco) (see Tests/Fixtures/README.md)")
        let out = scratch + "/coco128"
        let convert = try ToolRunner.run("lvis-prep", ["convert", "--annotations", coco + "/annotations/instances_train2017.json",
                                                        "--images", coco + "/train2017", "--out", out, "--quiet"])
        XCTAssertEqual(convert.status, 0, convert.stderr)
        let summary = try json(convert.stdout)
        XCTAssertEqual(summary["images"] as? Int, 4)
        XCTAssertEqual((summary["skipped"] as? [String: Any])?.count, 0)
        let inspect = try ToolRunner.run("lvis-prep", ["inspect", out, "--json"])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        let split = try XCTUnwrap((try json(inspect.stdout)["splits"] as? [[String: Any]])?.first)
        XCTAssertEqual(split["images"] as? Int, 4)
        XCTAssertEqual(split["instances"] as? Int, 22)
        XCTAssertEqual(split["polygonInstances"] as? Int, 21)
        XCTAssertEqual(split["crowdInstances"] as? Int, 1)
        XCTAssertEqual(split["sourceFormat"] as? String, "coco")
        let verify = try ToolRunner.run("lvis-prep", ["verify", out])
        XCTAssertEqual(verify.status, 0, verify.stderr)
        // Flip one byte in the middle of the shard: verify fails and says how to regenerate.
        let shard = out + "/shard-00000.bin"
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: shard)))
        bytes[bytes.count / 2] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: shard))
        let damaged = try ToolRunner.run("lvis-prep", ["verify", out])
        XCTAssertEqual(damaged.status, 1)
        XCTAssertTrue(damaged.stderr.contains("checksum mismatch"), damaged.stderr)
        XCTAssertTrue(damaged.stderr.contains("lvis-prep convert"), damaged.stderr)
    }

    func testLVISv05ValidatesAnnotationsWithoutImages() throws {
        let annotations = Self.data + "/eval/lvis_val_100.json"
        XCTAssertTrue(FileManager.default.fileExists(atPath: annotations), "real data missing: \(annotations) (see Tests/Fixtures/README.md)")
        let out = scratch + "/lvis05"
        let run = try ToolRunner.run("lvis-prep", ["convert", "--annotations", annotations, "--images", scratch + "/no-images",
                                                    "--out", out, "--skip-missing-images"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let summary = try json(run.stdout)
        XCTAssertEqual(summary["format"] as? String, "lvis-v0.5")
        XCTAssertEqual((summary["skipped"] as? [String: Any])?["missing-image"] as? Int, 100)
        XCTAssertTrue(run.stderr.contains("missing-image: 100"), run.stderr)
        XCTAssertTrue(run.stderr.contains("COCO_val2014_000000006460.jpg"), run.stderr)
        // Without the flag, no image at all means a wrong --images: exit 1 with a hint.
        let strict = try ToolRunner.run("lvis-prep", ["convert", "--annotations", annotations, "--images", scratch + "/no-images",
                                                       "--out", scratch + "/lvis05b", "--quiet"])
        XCTAssertEqual(strict.status, 1, strict.stderr)
        XCTAssertTrue(strict.stderr.contains("--skip-missing-images"), strict.stderr)
    }

    func testSynthThenConvertStatsAndJobArray() throws {
        let synth = scratch + "/synth"
        let made = try ToolRunner.run("lvis-prep", ["synth", "--out", synth, "--seed", "3", "--train-images", "12", "--val-images", "4", "--quiet"])
        XCTAssertEqual(made.status, 0, made.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: synth + "/train2017/000000000012.jpg"))
        let out = scratch + "/shards"
        for piece in ["0", "1"] {
            let run = try ToolRunner.run("lvis-prep", ["convert", "--annotations", synth + "/lvis_v1_train.json", "--images", synth,
                                                        "--out", out, "--max-size", "128,160", "--records-per-shard", "5",
                                                        "--num-shards", "2", "--shard-index", piece, "--quiet"])
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/manifest.json"))
        let merge = try ToolRunner.run("lvis-prep", ["merge", out, "--verify"])
        XCTAssertEqual(merge.status, 0, merge.stderr)
        let inspect = try ToolRunner.run("lvis-prep", ["inspect", out, "--json"])
        let split = try XCTUnwrap((try json(inspect.stdout)["splits"] as? [[String: Any]])?.first)
        XCTAssertEqual(split["images"] as? Int, 12)
        XCTAssertEqual(split["sourceFormat"] as? String, "lvis-v1")
        XCTAssertEqual(split["categories"] as? Int, 100)
        let plot = scratch + "/tail.png"
        let stats = try ToolRunner.run("lvis-prep", ["stats", out, "--plot", plot])
        XCTAssertEqual(stats.status, 0, stats.stderr)
        let png = try Array(Data(contentsOf: URL(fileURLWithPath: plot)))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        XCTAssertTrue(stats.stdout.contains("rare"), stats.stdout)
    }

    /// The first image of the coco128 subset and its annotations as a new json (the images stay
    /// in the subset's train2017/), with `edit` applied to the annotation list.
    func coco128Subset(_ edit: (inout [[String: Any]]) -> Void = { _ in }) throws -> String {
        let source = Self.cocoSubset + "/annotations/instances_train2017.json"
        var document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: source))) as? [String: Any])
        let image = try XCTUnwrap((document["images"] as? [[String: Any]])?.first)
        let imageID = try XCTUnwrap(image["id"] as? Int)
        var annotations = try XCTUnwrap(document["annotations"] as? [[String: Any]]).filter { $0["image_id"] as? Int == imageID }
        edit(&annotations)
        document["images"] = [image]
        document["annotations"] = annotations
        let path = scratch + "/subset.json"
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Audit regression: an odd-length polygon beside a good one used to vanish (exit 0, no count).
    func testOddLengthPolygonIsCountedAndStrictFails() throws {
        let annotations = try coco128Subset { list in
            let polygon = (list[0]["segmentation"] as? [[Double]])?.first ?? []
            list[0]["segmentation"] = [polygon, Array(polygon.dropLast())]
        }
        let images = Self.cocoSubset + "/train2017"
        let run = try ToolRunner.run("lvis-prep", ["convert", "--annotations", annotations, "--images", images,
                                                    "--out", scratch + "/odd", "--quiet"])
        XCTAssertEqual(run.status, 2, run.stderr)
        XCTAssertTrue(run.stderr.contains("lvis-prep: warning: 1 bad annotations or images were skipped"), run.stderr)
        XCTAssertEqual((try json(run.stdout)["skipped"] as? [String: Any])?["degenerate-polygon"] as? Int, 1, run.stdout)
        XCTAssertTrue(run.stderr.contains("degenerate-polygon: 1") && run.stderr.contains("(odd"), run.stderr)
        let strict = try ToolRunner.run("lvis-prep", ["convert", "--annotations", annotations, "--images", images,
                                                       "--out", scratch + "/odd-strict", "--strict", "--quiet"])
        XCTAssertEqual(strict.status, 1, strict.stderr)
        XCTAssertTrue(strict.stderr.contains("degenerate-polygon"), strict.stderr)
    }

    /// The pipelines' prep step: a convert that skipped a record (exit 2) lets `make` go on, with
    /// a message and shards that verify; under --strict it stops (exit 1).
    func testPipelinePrepGoesOnAfterSkippedRecordsAndStopsUnderStrict() throws {
        let annotations = try coco128Subset { list in
            let polygon = (list[0]["segmentation"] as? [[Double]])?.first ?? []
            list[0]["segmentation"] = [polygon, Array(polygon.dropLast())]
        }
        let script = ToolRunner.scriptsDirectory.appendingPathComponent("convert-shards.sh")
        let prep = ToolRunner.binaryDirectory.appendingPathComponent("lvis-prep").path
        let common = ["--annotations", annotations, "--images", Self.cocoSubset + "/train2017"]
        let run = try ToolRunner.run(executable: script, [prep] + common + ["--out", scratch + "/prep"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.isEmpty, run.stdout)
        XCTAssertTrue(run.stderr.contains("degenerate-polygon: 1") && run.stderr.contains("going on"), run.stderr)
        XCTAssertEqual(try ToolRunner.run("lvis-prep", ["verify", scratch + "/prep"]).status, 0)
        let strict = try ToolRunner.run(executable: script, [prep] + common + ["--out", scratch + "/prep-strict", "--strict"])
        XCTAssertEqual(strict.status, 1, strict.stderr)
        XCTAssertFalse(strict.stderr.contains("going on"), strict.stderr)
    }

    /// Audit regression: a run that found no image used to exit 1 yet leave a manifest and an
    /// empty shard that `verify` accepted.
    func testNoImageFoundLeavesNothingThatVerifies() throws {
        let annotations = try coco128Subset()
        let out = scratch + "/empty"
        let run = try ToolRunner.run("lvis-prep", ["convert", "--annotations", annotations, "--images", scratch + "/nonexistent",
                                                    "--out", out, "--quiet"])
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("none of the 1 images was found"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/manifest.json"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/shard-00000.bin"))
        let verify = try ToolRunner.run("lvis-prep", ["verify", out])
        XCTAssertNotEqual(verify.status, 0, verify.stderr)
    }

    /// Audit regression: a truncated manifest said "DecodingError.dataCorrupted…".
    func testTruncatedManifestIsExplained() throws {
        let out = scratch + "/truncated"
        let run = try ToolRunner.run("lvis-prep", ["convert", "--annotations", try coco128Subset(),
                                                    "--images", Self.cocoSubset + "/train2017", "--out", out, "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let manifest = out + "/manifest.json"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: manifest))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: manifest))
        let verify = try ToolRunner.run("lvis-prep", ["verify", out])
        XCTAssertEqual(verify.status, 1, verify.stderr)
        XCTAssertTrue(verify.stderr.contains("not valid JSON: it is truncated"), verify.stderr)
        XCTAssertTrue(verify.stderr.contains("re-run the `lvis-prep convert`"), verify.stderr)
        XCTAssertFalse(verify.stderr.contains("DecodingError"), verify.stderr)
    }

    /// Audit regression: a results file as --annotations was told to pass it "as the results argument".
    func testResultsFileAsAnnotationsGetsPrepAdvice() throws {
        let results = scratch + "/results.json"
        try Data(#"[{"image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.5}]"#.utf8).write(to: URL(fileURLWithPath: results))
        let run = try ToolRunner.run("lvis-prep", ["convert", "--annotations", results, "--images", scratch, "--out", scratch + "/r"])
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("--annotations needs a COCO or LVIS annotation json"), run.stderr)
        XCTAssertFalse(run.stderr.contains("results argument"), run.stderr)
    }

    /// Audit regression: too few training images left categories rare with no word said.
    func testSynthWarnsWhenCategoriesGetNoTrainingImage() throws {
        let run = try ToolRunner.run("lvis-prep", ["synth", "--out", scratch + "/few", "--train-images", "6", "--val-images", "2", "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("warning: ") && run.stderr.contains("categories got no training image"), run.stderr)
    }

    func testCommandLineContract() throws {
        let help = try ToolRunner.run("lvis-prep", ["convert", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("Example:"), help.stdout)
        XCTAssertTrue(help.stdout.contains("jpeg"), help.stdout)
        // Audit regression: "(default: 0)" and empty "jpeg - " / "raw - " value lines.
        let encodingLine = help.stdout.split(separator: "\n").first { $0.contains("--encoding <") }
        XCTAssertTrue(encodingLine?.hasSuffix("(default: jpeg)") ?? false, help.stdout)
        for value in ["jpeg", "raw"] {
            let line = help.stdout.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(value + " ") }
            XCTAssertTrue(line.map { $0.split(separator: "-", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces).isEmpty == false } ?? false,
                          "no description for \(value): \(help.stdout)")
        }
        // Audit regression: a short-side limit above the long-side limit was accepted.
        let inverted = try ToolRunner.run("lvis-prep", ["convert", "--annotations", "a", "--images", "b", "--out", "c", "--max-size", "100,50"])
        XCTAssertEqual(inverted.status, 64, inverted.stderr)
        XCTAssertTrue(inverted.stderr.contains("--max-size 100,50"), inverted.stderr)
        let usage = try ToolRunner.run("lvis-prep", ["convert", "--annotations", "x.json"])
        XCTAssertEqual(usage.status, 64, usage.stderr)
        let badEncoding = try ToolRunner.run("lvis-prep", ["convert", "--annotations", "a", "--images", "b", "--out", "c", "--encoding", "webp"])
        XCTAssertEqual(badEncoding.status, 64, badEncoding.stderr)
        let missing = try ToolRunner.run("lvis-prep", ["inspect", scratch + "/nothing"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("lvis-prep: error:"), missing.stderr)
    }
}
