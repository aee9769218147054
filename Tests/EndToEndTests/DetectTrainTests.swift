// detect-train run as a user runs it: synth -> convert -> fit a few iterations -> predict
// (stdout and --out give the same bytes, valid COCO results whose ids exist in the GT) ->
// detect-eval reads the stream from stdin; --resume continues; usage errors exit 64, bad
// inputs exit 1 with a message naming the file and what is wrong.
import Foundation
import XCTest

final class DetectTrainTests: XCTestCase {
    var scratch = ""

    override func setUpWithError() throws {
        scratch = NSTemporaryDirectory() + "detect-train-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: scratch) }

    /// Synthetic data (8 train, 2 val images) converted to small shards; returns (train, val, val json).
    func makeShards() throws -> (train: String, val: String, valJSON: String) {
        let synth = scratch + "/synth"
        let made = try ToolRunner.run("lvis-prep", ["synth", "--out", synth, "--seed", "5", "--train-images", "8", "--val-images", "2", "--quiet"])
        XCTAssertEqual(made.status, 0, made.stderr)
        for split in ["train", "val"] {
            let run = try ToolRunner.run("lvis-prep", ["convert", "--annotations", synth + "/lvis_v1_\(split).json", "--images", synth,
                                                        "--out", scratch + "/" + split, "--max-size", "128,160", "--quiet"])
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        return (scratch + "/train", scratch + "/val", synth + "/lvis_v1_val.json")
    }

    /// The smoke preset made fast (`FastConfig`), written into the scratch folder.
    func fastConfig(_ edit: (inout [String: Any]) -> Void = { _ in }) throws -> String {
        try FastConfig.write("smoke", into: scratch, edit: edit)
    }

    func testFitThenPredictStreamsCOCOResultsThatDetectEvalReads() throws {
        let (train, val, valJSON) = try makeShards()
        let config = try fastConfig()
        let out = scratch + "/run"
        let fit = try ToolRunner.run("detect-train", ["fit", "--config", config, "--train", train, "--out", out, "--iterations", "2",
                                                      "--threads", "2"])
        XCTAssertEqual(fit.status, 0, fit.stderr)
        for name in ["checkpoint.safetensors", "config.json", "log.jsonl"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/" + name), name)
        }
        let log = try String(contentsOfFile: out + "/log.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(log.count, 2)
        let line = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(log[1].utf8)) as? [String: Any])
        for key in ["iteration", "epoch", "lr", "loss_rpn_cls", "loss_rpn_bbox", "loss_cls", "loss_bbox", "loss_mask", "loss", "images_per_s"] {
            XCTAssertNotNil(line[key], key)
        }
        XCTAssertEqual(line["iteration"] as? Int, 2)
        // Continue to 3 iterations.
        let resumed = try ToolRunner.run("detect-train", ["fit", "--config", config, "--train", train, "--out", out, "--iterations", "3",
                                                          "--threads", "2", "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try String(contentsOfFile: out + "/log.jsonl", encoding: .utf8).split(separator: "\n").count, 3)
        // Repeat-factor sampling runs too (the usual LVIS baseline).
        let rfs = try ToolRunner.run("detect-train", ["fit", "--config", config, "--train", train, "--out", scratch + "/rfs",
                                                      "--iterations", "1", "--sampler", "rfs", "--threads", "2"])
        XCTAssertEqual(rfs.status, 0, rfs.stderr)
        XCTAssertTrue(rfs.stderr.contains("repeat-factor sampling"), rfs.stderr)
        XCTAssertTrue(try String(contentsOfFile: scratch + "/rfs/config.json", encoding: .utf8).contains("\"sampler\" : \"rfs\""))

        let checkpoint = out + "/checkpoint.safetensors"
        let predict = try ToolRunner.run("detect-train", ["predict", "--checkpoint", checkpoint, "--data", val, "--threads", "2", "--quiet"])
        XCTAssertEqual(predict.status, 0, predict.stderr)
        let results = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(predict.stdout.utf8)) as? [[String: Any]])
        XCTAssertGreaterThan(results.count, 0)
        let gt = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: valJSON))) as? [String: Any])
        let images = try XCTUnwrap(gt["images"] as? [[String: Any]])
        var sizes: [Int: [Int]] = [:]
        for image in images { sizes[try XCTUnwrap(image["id"] as? Int)] = [try XCTUnwrap(image["height"] as? Int), try XCTUnwrap(image["width"] as? Int)] }
        let categories = Set(try XCTUnwrap(gt["categories"] as? [[String: Any]]).compactMap { $0["id"] as? Int })
        for result in results {
            let id = try XCTUnwrap(result["image_id"] as? Int)
            let size = try XCTUnwrap(sizes[id], "image id \(id) is not in the GT")
            XCTAssertTrue(categories.contains(try XCTUnwrap(result["category_id"] as? Int)))
            let box = try XCTUnwrap(result["bbox"] as? [Double])
            XCTAssertLessThanOrEqual(box[0] + box[2], Double(size[1]) + 1e-3)
            XCTAssertLessThanOrEqual(box[1] + box[3], Double(size[0]) + 1e-3)
            XCTAssertEqual((result["segmentation"] as? [String: Any])?["size"] as? [Int], size)
        }
        XCTAssertLessThanOrEqual(results.count, 40 * images.count)
        // --out writes the same bytes atomically (same batch size: padding, and so GroupNorm's
        // statistics, depend on the batch).
        let file = scratch + "/detections.json"
        let toFile = try ToolRunner.run("detect-train", ["predict", "--checkpoint", checkpoint, "--data", val, "--out", file,
                                                         "--threads", "2", "--quiet"])
        XCTAssertEqual(toFile.status, 0, toFile.stderr)
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), predict.stdout)
        let batched = try ToolRunner.run("detect-train", ["predict", "--checkpoint", checkpoint, "--data", val, "--batch", "2", "--quiet"])
        XCTAssertEqual(batched.status, 0, batched.stderr)
        XCTAssertGreaterThan((try JSONSerialization.jsonObject(with: Data(batched.stdout.utf8)) as? [Any])?.count ?? 0, 0)
        // --set changes test-time settings without retraining: the two highest-scoring
        // detections per image above the median score, a subset of the default run's.
        let scores = results.compactMap { $0["score"] as? Double }.sorted()
        let median = scores[scores.count / 2]
        let strict = try ToolRunner.run("detect-train", ["predict", "--checkpoint", checkpoint, "--data", val, "--quiet",
                                                         "--set", "test.scoreThreshold=\(median)", "--set", "maxDetectionsPerImage=2"])
        XCTAssertEqual(strict.status, 0, strict.stderr)
        let kept = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(strict.stdout.utf8)) as? [[String: Any]])
        XCTAssertGreaterThan(kept.count, 0)
        XCTAssertLessThan(kept.count, results.count)
        XCTAssertTrue(kept.allSatisfy { ($0["score"] as? Double ?? 0) > median })
        let perImage = Dictionary(grouping: kept) { $0["image_id"] as? Int ?? -1 }
        XCTAssertTrue(perImage.values.allSatisfy { $0.count <= 2 }, "\(perImage.mapValues(\.count))")
        for (setting, message) in [("test.nmsIoU=1.5", "test.nmsIoU must be in [0, 1], got 1.5"),
                                   ("test.seed=3", "test.seed is not a test-time setting"),
                                   ("maxDetectionsPerImage=2.5", "takes a whole number"), ("scoreThreshold", "expected KEY=VALUE")] {
            let refused = try ToolRunner.run("detect-train", ["predict", "--checkpoint", checkpoint, "--data", val, "--quiet",
                                                              "--out", scratch + "/never.json", "--set", setting])
            XCTAssertEqual(refused.status, 64, setting)
            XCTAssertTrue(refused.stderr.contains(message), "\(setting): \(refused.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: scratch + "/never.json"))
        }
        // A stage-2 config is refused by stage 1 before anything is written.
        let stageTwo = try FastConfig.write("smoke-loce", into: scratch)
        let refusedStageTwo = try ToolRunner.run("detect-train", ["fit", "--config", stageTwo, "--train", train, "--out", scratch + "/never-fit",
                                                                  "--iterations", "1", "--quiet"])
        XCTAssertEqual(refusedStageTwo.status, 64, refusedStageTwo.stderr)
        XCTAssertTrue(refusedStageTwo.stderr.contains("use loce-finetune fit"), refusedStageTwo.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch + "/never-fit"))
        // The stream is what detect-eval reads from stdin.
        let eval = try ToolRunner.run("detect-eval", ["--gt", valJSON, "-", "--iou-type", "both"], stdin: Data(predict.stdout.utf8))
        XCTAssertEqual(eval.status, 0, eval.stderr)
        XCTAssertTrue(eval.stdout.contains("type=segm"), eval.stdout)
    }

    /// SIGTERM (a scheduler's notice, or `kill`) mid-run: the tool saves the iteration it is on
    /// and exits 143 saying so; `--resume` finishes the run; `predict` warns about a checkpoint
    /// whose run stopped early.
    func testSIGTERMSavesTheIterationAndResumeFinishesTheRun() throws {
        let (train, val, _) = try makeShards()
        let config = try fastConfig()
        let out = scratch + "/run"
        let process = Process()
        process.executableURL = ToolRunner.binaryDirectory.appendingPathComponent("detect-train")
        process.arguments = ["fit", "--config", config, "--train", train, "--out", out, "--threads", "1", "--quiet"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let log = out + "/log.jsonl"
        let deadline = Date().addingTimeInterval(120)
        while ((try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").count ?? 0) < 1, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.terminate()   // SIGTERM
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 143, stderr)
        XCTAssertTrue(stderr.contains("stopped by SIGTERM after iteration"), stderr)
        XCTAssertTrue(stderr.contains("--resume"), stderr)
        let done = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").count
        let early = try ToolRunner.run("detect-train", ["predict", "--checkpoint", out + "/checkpoint.safetensors", "--data", val,
                                                        "--out", scratch + "/early.json", "--threads", "2"])
        XCTAssertEqual(early.status, 0, early.stderr)
        XCTAssertTrue(early.stderr.contains("iteration \(done) of the"), early.stderr)
        let resumed = try ToolRunner.run("detect-train", ["fit", "--config", config, "--train", train, "--out", out, "--threads", "1",
                                                          "--resume", "--iterations", "\(done + 1)", "--quiet"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").count, done + 1)
    }

    func testUsageErrorsExit64() throws {
        let cases: [[String]] = [
            ["fit", "--train", "t", "--out", "o"],
            ["fit", "--config", "c", "--train", "t", "--out", "o", "--sampler", "balanced"],
            ["fit", "--config", "c", "--train", "t", "--out", "o", "--iterations", "0"],
            ["predict", "--checkpoint", "c", "--data", "d", "--batch", "0"],
            ["predict", "--data", "d"],
            ["train"],
        ]
        for arguments in cases {
            let run = try ToolRunner.run("detect-train", arguments)
            XCTAssertEqual(run.status, 64, "\(arguments): \(run.stderr)")
            XCTAssertTrue(run.stderr.hasPrefix("detect-train: error:"), run.stderr)
            XCTAssertEqual(run.stdout, "")
        }
        let help = try ToolRunner.run("detect-train", ["fit", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("--resume") && help.stdout.contains("uniform, rfs"), help.stdout)
    }

    func testBadInputsExit1WithAMessage() throws {
        let (train, val, _) = try makeShards()
        // A config with a misspelt key names the key.
        let typo = try fastConfig { $0["tempearture"] = 1 }
        let badConfig = try ToolRunner.run("detect-train", ["fit", "--config", typo, "--train", train, "--out", scratch + "/a"])
        XCTAssertEqual(badConfig.status, 1, badConfig.stderr)
        XCTAssertTrue(badConfig.stderr.contains("tempearture"), badConfig.stderr)
        // Nothing to resume.
        let nothing = try ToolRunner.run("detect-train", ["fit", "--config", try fastConfig(), "--train", train, "--out", scratch + "/b",
                                                          "--resume"])
        XCTAssertEqual(nothing.status, 1, nothing.stderr)
        XCTAssertTrue(nothing.stderr.contains("nothing to resume"), nothing.stderr)
        // A file that is not a checkpoint.
        let notCheckpoint = try ToolRunner.run("detect-train", ["predict", "--checkpoint", train + "/manifest.json", "--data", val])
        XCTAssertEqual(notCheckpoint.status, 1, notCheckpoint.stderr)
        XCTAssertTrue(notCheckpoint.stderr.contains("manifest.json"), notCheckpoint.stderr)
        XCTAssertEqual(notCheckpoint.stdout, "")
    }
}
